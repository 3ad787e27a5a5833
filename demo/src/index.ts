export { HOTEL_USAGE, HotelUsageError, parseHotelArgs } from './hotel/args.js';
export { type DoorProcess, type DoorSpec, doorEntry, spawnDoor, waitHealthy } from './hotel/door-process.js';
export { PortInUseError, reservePort } from './hotel/ports.js';
export { runHotel } from './hotel/run-hotel.js';
export { DEMO_GUESTS, type DemoGuest, roomRegister, seedHotel } from './hotel/seed.js';
export { DOOR_NAMES, type DoorName, type Hotel, type HotelOptions, startHotel } from './hotel/start-hotel.js';
export { DEMO_MAIL_FROM, type Mailbox, startMailbox } from './mailbox/mailbox.js';
export { type MailboxHttp, type MailboxHttpOptions, startMailboxHttp } from './mailbox/mailbox-http.js';
export {
  MAX_MAIL_BYTES,
  MAX_MAILS,
  type MailSink,
  MailWaitTimeoutError,
  type ReceivedMail,
  startMailSink,
} from './mailbox/sink.js';
