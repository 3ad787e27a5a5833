import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createServer, loadConfig, parseConfig } from '@keycard/server';
import { describe, expect, it } from 'vitest';
import {
  dockerEnv,
  kustomize,
  parseDockerfile,
  parseEnvFile,
  parseYamlStream,
  ROOT,
  read,
  readYaml,
} from './support/deploy-files.js';

// deploy/k8s checked offline: the manifests as written, then (where kubectl is installed) what
// `kubectl kustomize` builds from them. Nothing is applied to a cluster.

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML; each test checks its shape.
type Manifest = any;

const K8S = 'deploy/k8s';
const kustomization: Manifest = readYaml(`${K8S}/kustomization.yaml`);
const deployment: Manifest = readYaml(`${K8S}/deployment.yaml`);
const service: Manifest = readYaml(`${K8S}/service.yaml`);
const pdb: Manifest = readYaml(`${K8S}/pdb.yaml`);
const policy: Manifest = readYaml(`${K8S}/networkpolicy.yaml`);
const secretExample: Manifest = readYaml(`${K8S}/secret.example.yaml`);
const configEnv = parseEnvFile(read(`${K8S}/config.env`));
const pod = deployment.spec.template;
const container = pod.spec.containers[0];
const port = container.ports.find((p: Manifest) => p.name === 'http');
const runtime = parseDockerfile(read('deploy/Dockerfile')).stages.at(-1);

/** Whether `selector` (matchLabels or a plain map) selects pods labelled `labels`. */
function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe('deploy/k8s Deployment', () => {
  it('runs 3 replicas, rolling one pod at a time, selecting its own pods', () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(selects(deployment.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
  });

  it('probes readiness on /readyz and liveness (and start-up) on /healthz, on the container port', () => {
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.startupProbe.httpGet.path).toBe('/healthz');
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      expect(probe.httpGet.port).toBe('http');
    }
    expect(port.containerPort).toBe(Number(configEnv['KEYCARD_PORT']));
  });

  it('the probed paths answer 200 on a real server', async () => {
    const server = await createServer({ databaseUrl: 'memory', port: 0, logLevel: 'silent' });
    try {
      const url = await server.listen();
      for (const path of [container.readinessProbe.httpGet.path, container.livenessProbe.httpGet.path]) {
        expect((await fetch(`${url}${path}`)).status, path).toBe(200);
      }
    } finally {
      await server.close();
    }
  });

  it('runs as the image user, non-root, with a read-only root filesystem and emptyDirs where it writes', () => {
    const user = (runtime?.instructions.filter((i) => i.op === 'USER').at(-1)?.args ?? '').split(':');
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    expect(pod.spec.securityContext.runAsUser).toBe(Number(user[0]));
    expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const volumes = new Map(pod.spec.volumes.map((v: Manifest) => [v.name, v]));
    const mounted = (path: string) =>
      volumes.get(container.volumeMounts.find((m: Manifest) => m.mountPath === path)?.name) as Manifest;
    expect(configEnv['KEYCARD_DATA_DIR']).toBe(
      dockerEnv(runtime ?? { from: '', name: '', instructions: [] })['KEYCARD_DATA_DIR'],
    );
    expect(mounted(configEnv['KEYCARD_DATA_DIR'] ?? '')?.emptyDir).toBeDefined();
    expect(mounted('/tmp')?.emptyDir).toBeDefined();
  });

  it('sets CPU and memory requests and limits', () => {
    for (const kind of ['requests', 'limits']) {
      expect(container.resources[kind].cpu, kind).toBeDefined();
      expect(container.resources[kind].memory, kind).toBeDefined();
    }
  });

  it('takes the master key, database and Redis URLs from a Secret, the rest from ConfigMaps', () => {
    const env = new Map(container.env.map((e: Manifest) => [e.name, e]));
    for (const name of ['KEYCARD_MASTER_KEY', 'KEYCARD_DATABASE_URL', 'KEYCARD_REDIS_URL']) {
      const entry = env.get(name) as Manifest;
      expect(entry?.value, name).toBeUndefined();
      expect(entry?.valueFrom?.secretKeyRef?.name, name).toBe(secretExample.metadata.name);
    }
    for (const e of container.env) expect(e.value, e.name).toBeUndefined();
    const generated = kustomization.configMapGenerator.map((g: Manifest) => g.name);
    expect(generated).toContain(container.envFrom[0].configMapRef.name);
    // KEYCARD_CONFIG names a file that the config-file ConfigMap mounts.
    const file = configEnv['KEYCARD_CONFIG'] ?? '';
    const mount = container.volumeMounts.find((m: Manifest) => file.startsWith(`${m.mountPath}/`));
    const volume = pod.spec.volumes.find((v: Manifest) => v.name === mount?.name);
    expect(generated).toContain(volume?.configMap?.name);
    const generator = kustomization.configMapGenerator.find(
      (g: Manifest) => g.name === volume.configMap.name,
    );
    expect(generator.files).toContain(file.slice(mount.mountPath.length + 1));
  });

  it("the ConfigMap's variables, config file and a filled-in Secret form a configuration the server accepts", () => {
    const config = loadConfig({
      file: join(ROOT, K8S, 'keycard.config.json'),
      env: {
        ...configEnv,
        KEYCARD_MASTER_KEY: randomBytes(32).toString('base64url'),
        KEYCARD_DATABASE_URL: 'postgres://keycard:x@db.example.internal:5432/keycard',
        KEYCARD_REDIS_URL: 'redis://cache.example.internal:6379',
      },
    });
    expect(config.host).toBe('0.0.0.0');
    expect(config.trustProxy).toBe(true);
    expect(config.passwords.maxConcurrent).toBeGreaterThanOrEqual(1);
  });
});

describe('deploy/k8s Service, PodDisruptionBudget, NetworkPolicy, Secret example', () => {
  it("the Service selects the pods and targets the container's port", () => {
    expect(selects(service.spec.selector, pod.metadata.labels)).toBe(true);
    expect(service.spec.ports[0].targetPort).toBe(port.name);
  });

  it('the PodDisruptionBudget matches the Deployment and keeps 2 of 3 pods', () => {
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    const available = pdb.spec.minAvailable ?? deployment.spec.replicas - pdb.spec.maxUnavailable;
    expect(available).toBe(2);
  });

  it('the NetworkPolicy applies to the pods and admits only the container port', () => {
    expect(selects(policy.spec.podSelector.matchLabels, pod.metadata.labels)).toBe(true);
    for (const rule of policy.spec.ingress)
      expect(rule.ports).toEqual([{ port: port.name, protocol: 'TCP' }]);
  });

  it('the Secret is an example only: not applied by the kustomization, placeholders the server refuses', () => {
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    const refs = container.env.map((e: Manifest) => e.valueFrom?.secretKeyRef?.key).filter(Boolean);
    expect(Object.keys(secretExample.stringData).sort()).toEqual([...refs].sort());
    expect(() => parseConfig({ masterKey: secretExample.stringData['master-key'] })).toThrow(/masterKey/);
    expect(() => parseConfig({ metrics: { token: secretExample.stringData['metrics-token'] } })).toThrow(
      /metrics\.token/,
    );
  });
});

describe('kubectl kustomize', () => {
  const base = kustomize(K8S);
  const skip = 'skip' in base ? base.skip : '';
  if (skip !== '') console.warn(`deploy-k8s: kustomize checks skipped: ${skip}`);

  it.skipIf(skip !== '')('builds deploy/k8s: no Secret, no database, ConfigMap references resolved', () => {
    const docs = parseYamlStream('output' in base ? base.output : '');
    const kinds = docs.map((d) => d['kind']).sort();
    expect(kinds).toEqual([
      'ConfigMap',
      'ConfigMap',
      'Deployment',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
    const built: Manifest = docs.find((d) => d['kind'] === 'Deployment');
    const maps = new Set(docs.filter((d) => d['kind'] === 'ConfigMap').map((d: Manifest) => d.metadata.name));
    const c = built.spec.template.spec.containers[0];
    expect(maps.has(c.envFrom[0].configMapRef.name)).toBe(true);
    for (const v of built.spec.template.spec.volumes.filter((v: Manifest) => v.configMap)) {
      expect(maps.has(v.configMap.name)).toBe(true);
    }
    expect(c.image).toMatch(/^keycard:\d+\.\d+\.\d+$/);
    const builtPdb: Manifest = docs.find((d) => d['kind'] === 'PodDisruptionBudget');
    expect(selects(builtPdb.spec.selector.matchLabels, built.spec.template.metadata.labels)).toBe(true);
  });

  it.skipIf(skip !== '')(
    'builds the example with throwaway PostgreSQL and Redis, whose Secret is a placeholder',
    () => {
      const example = kustomize('deploy/examples/k8s-with-databases');
      const docs = parseYamlStream('output' in example ? example.output : '');
      const names = docs.map((d: Manifest) => `${d.kind}/${d.metadata.name}`);
      for (const n of [
        'StatefulSet/keycard-postgres',
        'Deployment/keycard-redis',
        'Secret/keycard-secrets',
      ]) {
        expect(names).toContain(n);
      }
      const secret: Manifest = docs.find((d) => d['kind'] === 'Secret');
      expect(() => parseConfig({ masterKey: secret.stringData['master-key'] })).toThrow(/masterKey/);
      expect(read('deploy/examples/k8s-with-databases/kustomization.yaml')).toMatch(/NOT FOR PRODUCTION/);
    },
  );
});
