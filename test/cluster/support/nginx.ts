// The load balancer: Debian's nginx in the foreground with a generated configuration in a temporary
// prefix (its own error log, pid and temp files), round-robin over the keycard instances.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Child, startChild, waitFor } from './processes.js';

/**
 * A POST that failed to reach an instance (connection refused, reset before an answer) is sent to
 * the next one (`non_idempotent`). That is safe for keycard's POSTs: a refresh the dead instance
 * already committed is answered by the retry within the rotation's grace window (the same successor,
 * no reuse detection), a sign-in at worst opens a second session, a logout is idempotent.
 */
export function nginxConf(prefix: string, port: number, upstreams: readonly number[]): string {
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n');
  const temp = (name: string) => join(prefix, name);
  return `daemon off;
master_process off;
worker_processes 1;
error_log ${join(prefix, 'error.log')} warn;
pid ${join(prefix, 'nginx.pid')};
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  upstream keycard {
${servers}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://keycard;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # Server-Sent Events pass through as they are written, and live for hours.
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_next_upstream_timeout 10s;
    }
  }
}
`;
}

/** Starts nginx (`-p prefix -c conf`, never the system service) and waits until it answers on `port`. */
export async function startNginx(
  nginxPath: string,
  prefix: string,
  port: number,
  upstreams: readonly number[],
): Promise<Child> {
  mkdirSync(prefix, { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, nginxConf(prefix, port, upstreams));
  const errorLog = join(prefix, 'error.log');
  const child = startChild('nginx', nginxPath, ['-p', prefix, '-c', conf, '-e', errorLog], {
    logFile: join(prefix, 'stdout.log'),
  });
  await waitFor(
    `nginx on port ${port}`,
    async () => {
      if (child.process.exitCode !== null) throw new Error(`nginx exited: ${child.tail()}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return res.status === 200 ? true : undefined;
    },
    15_000,
  );
  return child;
}
