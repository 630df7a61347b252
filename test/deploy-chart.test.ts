/**
 * The deploy files (deploy/Dockerfile, deploy/docker-compose.yml, deploy/helm/portcullis) are
 * checked here without Docker or helm, neither of which exists where they were written.
 *
 * The chart is rendered by `renderChart` below: a small interpreter for the subset of Go templates
 * the chart uses (text/template actions with `{{-`/`-}}` trimming; if/else, range over lists and
 * maps with sorted keys, with, define/include; variables `$`, `$x`; field chains; parenthesised
 * pipelines; the functions in FUNCTIONS). Anything outside the subset throws, and so does printing a
 * field that does not exist, so a typo such as `.Values.gatway.port` fails instead of rendering
 * empty. It is not helm: no schema validation, no Kubernetes API, no Sprig beyond FUNCTIONS.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { isVariableName, variableMeta, type VariableName } from '../src/config/variables.js';

const root = new URL('../deploy/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const chartDir = new URL('helm/portcullis/', root);

type Value = unknown;
type Scope = { dot: Value; vars: Map<string, Value> };
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; pipe: string }
  | { kind: 'if'; pipe: string; then: Node[]; otherwise: Node[] }
  | { kind: 'with'; pipe: string; then: Node[]; otherwise: Node[] }
  | { kind: 'range'; pipe: string; keyVar?: string; valueVar?: string; body: Node[] };

// ---- template engine (subset) -------------------------------------------------------------------

function truthy(value: Value): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** How a value prints: scalars as text, maps and lists as JSON (Go would print its own form). */
function scalar(value: Value): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function asRecord(value: Value): Record<string, Value> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`expected a map, got ${JSON.stringify(value)}`);
  return value as Record<string, Value>;
}

function indent(spaces: number, text: string): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}

class Template {
  private readonly defines = new Map<string, Node[]>();

  /** Parses every file (so `define`s anywhere are known); returns the body of each. */
  load(sources: Record<string, string>): Record<string, Node[]> {
    const bodies: Record<string, Node[]> = {};
    for (const [name, source] of Object.entries(sources)) bodies[name] = this.parse(source);
    return bodies;
  }

  render(nodes: Node[], scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'print') {
        const value = this.pipeline(node.pipe, scope);
        if (value === undefined || value === null) throw new Error(`{{ ${node.pipe} }} has no value`);
        out += scalar(value);
      } else if (node.kind === 'if') {
        out += this.render(truthy(this.pipeline(node.pipe, scope)) ? node.then : node.otherwise, scope);
      } else if (node.kind === 'with') {
        const value = this.pipeline(node.pipe, scope);
        out += truthy(value) ? this.render(node.then, { ...scope, dot: value }) : this.render(node.otherwise, scope);
      } else {
        const collection = this.pipeline(node.pipe, scope);
        const entries: [Value, Value][] = Array.isArray(collection)
          ? collection.map((v, i) => [i, v])
          : collection === undefined || collection === null
            ? []
            : Object.entries(asRecord(collection)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        for (const [key, value] of entries) {
          const vars = new Map(scope.vars);
          if (node.keyVar !== undefined) vars.set(node.keyVar, key);
          if (node.valueVar !== undefined) vars.set(node.valueVar, value);
          out += this.render(node.body, { dot: value, vars });
        }
      }
    }
    return out;
  }

  include(name: string, data: Value): string {
    const body = this.defines.get(name);
    if (!body) throw new Error(`include of undefined template "${name}"`);
    return this.render(body, { dot: data, vars: new Map([['$', data]]) });
  }

  private parse(source: string): Node[] {
    // Split into text and actions, applying the trim markers.
    const parts: ({ text: string } | { action: string })[] = [];
    const pattern = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
    let last = 0;
    let trimNext = false;
    for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
      let text = source.slice(last, match.index);
      if (trimNext) text = text.replace(/^\s+/, '');
      if (match[1]) text = text.replace(/\s+$/, '');
      parts.push({ text });
      const action = match[2]!.trim();
      if (!/^\/\*[\s\S]*\*\/$/.test(action)) parts.push({ action });
      trimNext = Boolean(match[3]);
      last = pattern.lastIndex;
    }
    parts.push({ text: trimNext ? source.slice(last).replace(/^\s+/, '') : source.slice(last) });

    // Build the tree.
    let position = 0;
    const block = (): { nodes: Node[]; end: string } => {
      const nodes: Node[] = [];
      while (position < parts.length) {
        const part = parts[position++]!;
        if ('text' in part) {
          if (part.text) nodes.push({ kind: 'text', text: part.text });
          continue;
        }
        const action = part.action;
        const [keyword] = action.split(/\s+/, 1);
        if (keyword === 'end' || keyword === 'else') {
          if (action !== keyword) throw new Error(`unsupported action {{ ${action} }}`);
          return { nodes, end: keyword };
        }
        if (keyword === 'if' || keyword === 'with') {
          const then = block();
          const otherwise = then.end === 'else' ? block() : { nodes: [], end: 'end' };
          if (otherwise.end !== 'end') throw new Error(`{{ ${action} }}: expected end`);
          nodes.push({ kind: keyword, pipe: action.slice(keyword.length).trim(), then: then.nodes, otherwise: otherwise.nodes });
        } else if (keyword === 'range') {
          const header = /^range\s+(?:(\$\w+)\s*(?:,\s*(\$\w+))?\s*:=\s*)?([\s\S]+)$/.exec(action);
          if (!header) throw new Error(`unsupported {{ ${action} }}`);
          const body = block();
          if (body.end !== 'end') throw new Error(`{{ ${action} }}: else in range is not supported`);
          const [, first, second, pipe] = header;
          nodes.push({ kind: 'range', pipe: pipe!, keyVar: second ? first : undefined, valueVar: second ?? first, body: body.nodes });
        } else if (keyword === 'define') {
          const name = /^define\s+"([^"]+)"$/.exec(action)?.[1];
          if (!name) throw new Error(`unsupported {{ ${action} }}`);
          const body = block();
          if (body.end !== 'end') throw new Error(`define "${name}": expected end`);
          this.defines.set(name, body.nodes);
        } else if (/^(block|template|break|continue)$/.test(keyword ?? '') || /^\$\w*\s*:?=/.test(action)) {
          throw new Error(`unsupported action {{ ${action} }}`);
        } else nodes.push({ kind: 'print', pipe: action });
      }
      return { nodes, end: 'eof' };
    };
    const result = block();
    if (result.end !== 'eof') throw new Error(`unexpected {{ ${result.end} }}`);
    return result.nodes;
  }

  private pipeline(source: string, scope: Scope): Value {
    const tokens = source.match(/"(?:[^"\\]|\\.)*"|\(|\)|\||[^\s()|]+/g) ?? [];
    let index = 0;
    const parsePipe = (): Value => {
      let value: Value;
      let first = true;
      for (;;) {
        value = parseCommand(first ? [] : [value]);
        first = false;
        if (tokens[index] !== '|') return value;
        index++;
      }
    };
    const parseOperand = (): { value: Value; fn?: string } => {
      const token = tokens[index++];
      if (token === undefined) throw new Error(`unexpected end of {{ ${source} }}`);
      if (token === '(') {
        const value = parsePipe();
        if (tokens[index++] !== ')') throw new Error(`unbalanced ( in {{ ${source} }}`);
        return { value };
      }
      if (token.startsWith('"')) return { value: JSON.parse(token) as string };
      if (/^-?\d+$/.test(token)) return { value: Number(token) };
      if (token === 'true' || token === 'false') return { value: token === 'true' };
      if (token === 'nil') return { value: null };
      if (token.startsWith('$') || token.startsWith('.')) {
        const [head, ...fields] = token.startsWith('.') ? ['.', ...token.slice(1).split('.').filter(Boolean)] : token.split('.');
        if (head !== '.' && !scope.vars.has(head!)) throw new Error(`undefined variable ${head} in {{ ${source} }}`);
        let value = head === '.' ? scope.dot : scope.vars.get(head!);
        for (const field of fields) value = value === undefined || value === null ? undefined : asRecord(value)[field];
        return { value };
      }
      if (!(token in FUNCTIONS)) throw new Error(`unsupported function ${token} in {{ ${source} }}`);
      return { value: undefined, fn: token };
    };
    const parseCommand = (piped: Value[]): Value => {
      const head = parseOperand();
      const args: Value[] = [];
      while (index < tokens.length && tokens[index] !== '|' && tokens[index] !== ')') args.push(parseOperand().value);
      if (head.fn === undefined) {
        if (args.length || piped.length) throw new Error(`only functions take arguments: {{ ${source} }}`);
        return head.value;
      }
      return FUNCTIONS[head.fn]!(this, ...args, ...piped);
    };
    const value = parsePipe();
    if (index !== tokens.length) throw new Error(`cannot parse {{ ${source} }}`);
    return value;
  }
}

const FUNCTIONS: Record<string, (engine: Template, ...args: Value[]) => Value> = {
  include: (engine, name, data) => engine.include(String(name), data),
  quote: (_, value) => JSON.stringify(value === undefined || value === null ? '' : scalar(value)),
  default: (_, fallback, value) => (truthy(value) ? value : fallback),
  required: (_, message, value) => {
    if (value === undefined || value === null || value === '') throw new Error(`required: ${String(message)}`);
    return value;
  },
  toYaml: (_, value) => stringify(value).replace(/\n$/, ''),
  nindent: (_, spaces, text) => '\n' + indent(Number(spaces), String(text)),
  indent: (_, spaces, text) => indent(Number(spaces), String(text)),
  printf: (_, format, ...args) => {
    let i = 0;
    return String(format).replace(/%[svd]/g, () => String(args[i++]));
  },
  trunc: (_, length, text) => String(text).slice(0, Number(length)),
  trimSuffix: (_, suffix, text) => (String(text).endsWith(String(suffix)) ? String(text).slice(0, -String(suffix).length) : text),
  dict: (_, ...pairs) => Object.fromEntries(Array.from({ length: pairs.length / 2 }, (_, i) => [String(pairs[2 * i]), pairs[2 * i + 1]])),
  list: (_, ...items) => items,
  has: (_, needle, list) => Array.isArray(list) && list.includes(needle),
  not: (_, value) => !truthy(value),
  and: (_, ...values) => values.find((v) => !truthy(v)) ?? values.at(-1),
  or: (_, ...values) => values.find((v) => truthy(v)) ?? values.at(-1),
  eq: (_, a, b) => a === b,
};

// ---- the chart ----------------------------------------------------------------------------------

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, Value>;
} & Record<string, Value>;
type SecretItem = { enabled: boolean; env: string; key: string; services: string[]; value: string; remoteRef: { key: string } };
type Container = {
  name: string;
  args: string[];
  env: { name: string; value: string }[];
  securityContext: Record<string, Value>;
  volumeMounts: { name: string; mountPath: string }[];
  [key: string]: Value;
};
type PodSpec = {
  securityContext: Record<string, Value>;
  containers: Container[];
  volumes: { name: string; secret?: { secretName: string; items: { key: string; path: string }[] } }[];
  affinity?: Record<string, Value>;
};

const values = parse(readFileSync(new URL('values.yaml', chartDir), 'utf8')) as Record<string, Value> & {
  config: Record<string, string>;
  secrets: { items: Record<string, SecretItem> };
};
const chart = parse(readFileSync(new URL('Chart.yaml', chartDir), 'utf8')) as { name: string; version: string; appVersion: string };
const templateFiles = readdirSync(new URL('templates/', chartDir)).filter((f) => /\.(ya?ml|tpl)$/.test(f));
// Sorted by id, the order in which Go's `range` visits a map.
const secretItems = Object.entries(values.secrets.items).sort(([a], [b]) => (a < b ? -1 : 1));

function merge(base: Value, override: Value): Value {
  if (!override || typeof override !== 'object' || Array.isArray(override) || !base || typeof base !== 'object' || Array.isArray(base))
    return override;
  const out: Record<string, Value> = { ...(base as Record<string, Value>) };
  for (const [key, value] of Object.entries(override)) out[key] = merge(out[key], value);
  return out;
}

/** Renders every template with values.yaml merged with `overrides`, as helm would (subset). */
function renderChart(overrides: Record<string, Value> = {}): Manifest[] {
  const engine = new Template();
  const bodies = engine.load(Object.fromEntries(templateFiles.map((f) => [f, readFileSync(new URL(`templates/${f}`, chartDir), 'utf8')])));
  const context = {
    Values: merge(values, overrides),
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Release: { Name: 'prod', Namespace: 'llm', Service: 'Helm' },
  };
  const manifests: Manifest[] = [];
  for (const file of templateFiles.filter((f) => !f.startsWith('_'))) {
    const text = engine.render(bodies[file]!, { dot: context, vars: new Map([['$', context]]) });
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}\n${text}`);
      const manifest = doc.toJS() as Manifest | null;
      if (manifest) manifests.push(manifest);
    }
  }
  return manifests;
}

/** Values for every secret, so the chart-rendered Secret's `required` checks pass. */
const filledSecrets = { secrets: { items: Object.fromEntries(secretItems.map(([id]) => [id, { value: `value-of-${id}` }])) } };
const allSecretsEnabled = { secrets: { items: Object.fromEntries(secretItems.map(([id]) => [id, { enabled: true }])) } };

const find = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
};
const podSpec = (manifest: Manifest) => (manifest.spec.template as { spec: PodSpec }).spec;

function expectHardened(pod: PodSpec) {
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
  for (const container of pod.containers) {
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.volumeMounts.map((m) => m.mountPath).sort()).toEqual(['/data', '/run/secrets/portcullis', '/tmp']);
  }
}

/** Every env name is a real variable; secrets arrive only as NAME_FILE pointing at a mounted key. */
function expectEnvFromVariables(pod: PodSpec, service: string, items: [string, SecretItem][]) {
  const container = pod.containers[0]!;
  const mounted = pod.volumes.find((v) => v.name === 'secrets')!.secret!.items.map((i) => i.path);
  for (const { name, value } of container.env) {
    const base = name.endsWith('_FILE') ? name.slice(0, -'_FILE'.length) : name;
    expect(isVariableName(base), `${name} is not in src/config/variables.ts`).toBe(true);
    if (name.endsWith('_FILE')) {
      expect(variableMeta(base as VariableName).secret, `${name}: only secrets come from files here`).toBe(true);
      expect(value).toMatch(/^\/run\/secrets\/portcullis\//);
      expect(mounted).toContain(value.slice('/run/secrets/portcullis/'.length));
    } else {
      expect(variableMeta(base as VariableName).secret, `${name} is a secret: pass it as ${name}_FILE`).not.toBe(true);
    }
  }
  const expected = items.filter(([, item]) => item.enabled && item.services.includes(service)).map(([, item]) => `${item.env}_FILE`);
  expect(container.env.map((e) => e.name).filter((n) => n.endsWith('_FILE'))).toEqual(expected);
  expect(mounted).toEqual(items.filter(([, item]) => item.enabled && item.services.includes(service)).map(([, item]) => item.key));
}

describe('helm chart deploy/helm/portcullis', () => {
  const manifests = renderChart(filledSecrets);
  const gateway = find(manifests, 'Deployment', 'prod-portcullis-gateway');
  const api = find(manifests, 'Deployment', 'prod-portcullis-api');
  const job = find(manifests, 'Job', 'prod-portcullis-migrate');

  it('Chart.yaml and values.yaml parse and name real variables', () => {
    expect(chart).toMatchObject({ name: 'portcullis', version: expect.any(String), appVersion: expect.any(String) });
    for (const name of Object.keys(values.config)) {
      expect(isVariableName(name), `config.${name} is not in src/config/variables.ts`).toBe(true);
      expect(variableMeta(name as VariableName).secret, `config.${name} is a secret: move it to secrets.items`).not.toBe(true);
    }
    for (const [id, item] of secretItems) {
      expect(isVariableName(item.env), `secrets.items.${id}.env ${item.env} is not in src/config/variables.ts`).toBe(true);
      expect(variableMeta(item.env as VariableName).secret, `secrets.items.${id}: ${item.env} is not a secret`).toBe(true);
      expect(item.services.every((s) => ['gateway', 'api', 'migrate'].includes(s))).toBe(true);
    }
    // Each service gets its own database login; the migration the owner's.
    for (const service of ['gateway', 'api', 'migrate'])
      expect(secretItems.filter(([, i]) => i.enabled && i.env === 'DATABASE_URL' && i.services.includes(service))).toHaveLength(1);
  });

  it('the renderer refuses what it does not understand, and typos', () => {
    const engine = new Template();
    const [body] = Object.values(engine.load({ t: '{{ .Values.gatway.port }}' }));
    expect(() => engine.render(body!, { dot: { Values: values }, vars: new Map() })).toThrow(/has no value/);
    const [lookup] = Object.values(new Template().load({ t: '{{ lookup "v1" }}' }));
    expect(() => new Template().render(lookup!, { dot: {}, vars: new Map() })).toThrow(/unsupported function lookup/);
    expect(() => renderChart()).toThrow(/secrets\.items\.authSecret\.value is required/);
  });

  it('gateway and api Deployments: non-root, read-only root fs, no capabilities, anti-affinity, probes', () => {
    for (const [deployment, service, port] of [
      [gateway, 'gateway', 4000],
      [api, 'api', 4001],
    ] as const) {
      const pod = podSpec(deployment);
      expectHardened(pod);
      const container = pod.containers[0]!;
      expect(container.args).toEqual([service]);
      expect(container.ports).toEqual([
        { name: 'http', containerPort: port, protocol: 'TCP' },
        { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
      ]);
      // /metrics on its own port only: the service port answers it with 404 (docs/observability.md).
      expect(container.env).toContainEqual({ name: 'METRICS_PORT', value: '9464' });
      expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
      expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'http' } });
      expect(container.startupProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
      const terms = (
        pod.affinity as {
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { podAffinityTerm: Record<string, Value> }[] };
        }
      ).podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
      expect(terms.map((t) => t.podAffinityTerm.topologyKey)).toContain('kubernetes.io/hostname');
      for (const term of terms)
        expect(term.podAffinityTerm.labelSelector).toEqual({
          matchLabels: expect.objectContaining({ 'app.kubernetes.io/component': service }),
        });
      expect(deployment.spec.replicas).toBeUndefined(); // the HPA owns it
      expectEnvFromVariables(pod, service, secretItems);
    }
    // The env helper emits NAME_FILE for every secret once all are enabled, still real variables.
    const all = renderChart(merge(filledSecrets, allSecretsEnabled) as Record<string, Value>);
    const allItems = secretItems.map(([id, item]) => [id, { ...item, enabled: true }] as [string, SecretItem]);
    expectEnvFromVariables(podSpec(find(all, 'Deployment', 'prod-portcullis-gateway')), 'gateway', allItems);
    expectEnvFromVariables(podSpec(find(all, 'Deployment', 'prod-portcullis-api')), 'api', allItems);
    // The api reaches the gateway through its Service.
    expect(podSpec(api).containers[0]!.env).toContainEqual({ name: 'GATEWAY_INTERNAL_URL', value: 'http://prod-portcullis-gateway:4000' });
  });

  it('Services, HPAs on CPU and portcullis_http_requests_per_second, PodDisruptionBudgets', () => {
    for (const service of ['gateway', 'api']) {
      const name = `prod-portcullis-${service}`;
      expect(find(manifests, 'Service', name).spec.ports).toEqual([
        { name: 'http', port: service === 'gateway' ? 4000 : 4001, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' },
      ]);
      const hpa = find(manifests, 'HorizontalPodAutoscaler', name);
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(hpa.spec.metrics).toEqual([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        {
          type: 'Pods',
          pods: {
            metric: { name: 'portcullis_http_requests_per_second' },
            target: { type: 'AverageValue', averageValue: expect.any(String) },
          },
        },
      ]);
      const pdb = find(manifests, 'PodDisruptionBudget', name);
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec).toMatchObject({ minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/component': service } } });
    }
    // The adapter derives the per-pod rate from portcullis_http_requests_total: without metrics there is
    // nothing to derive it from, and an HPA that cannot read a metric never scales down.
    const withoutMetrics = renderChart(merge(filledSecrets, { metrics: { enabled: false } }) as Record<string, Value>);
    for (const service of ['gateway', 'api']) {
      const name = `prod-portcullis-${service}`;
      expect((find(withoutMetrics, 'HorizontalPodAutoscaler', name).spec.metrics as { type: string }[]).map((m) => m.type)).toEqual([
        'Resource',
      ]);
      expect(find(withoutMetrics, 'Service', name).spec.ports).toHaveLength(1);
      const container = podSpec(find(withoutMetrics, 'Deployment', name)).containers[0]!;
      expect(container.ports).toHaveLength(1);
      expect(container.env.map((e) => e.name)).not.toContain('METRICS_PORT');
    }
    const fixed = renderChart(merge(filledSecrets, { gateway: { autoscaling: { enabled: false } } }) as Record<string, Value>);
    expect(fixed.some((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata.name === 'prod-portcullis-gateway')).toBe(false);
    expect(find(fixed, 'Deployment', 'prod-portcullis-gateway').spec.replicas).toBe(2);
  });

  it('the migration Job is a pre-install,pre-upgrade hook running migrate as the owner, after its Secret', () => {
    expect(job.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    const pod = podSpec(job);
    expectHardened(pod);
    expect(pod.containers[0]!.args).toEqual(['migrate']);
    expectEnvFromVariables(pod, 'migrate', secretItems);
    expect(pod.volumes.find((v) => v.name === 'secrets')!.secret!.items.map((i) => i.key)).toContain('database-url-owner');
    const secret = find(manifests, 'Secret', 'prod-portcullis-secrets');
    const weight = (m: Manifest) => Number(m.metadata.annotations?.['helm.sh/hook-weight']);
    expect(secret.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(weight(secret)).toBeLessThan(weight(job));
    expect(Object.keys(secret.stringData as object).sort()).toEqual(
      secretItems
        .filter(([, i]) => i.enabled)
        .map(([, i]) => i.key)
        .sort(),
    );
    expect(manifests.some((m) => m.kind === 'ExternalSecret')).toBe(false);
  });

  it('externalSecrets.enabled: one ExternalSecret covers every secret in values, and no Secret is rendered', () => {
    const rendered = renderChart(merge(allSecretsEnabled, { externalSecrets: { enabled: true } }) as Record<string, Value>);
    expect(rendered.some((m) => m.kind === 'Secret')).toBe(false);
    const external = find(rendered, 'ExternalSecret', 'prod-portcullis-secrets');
    expect(external.apiVersion).toBe('external-secrets.io/v1beta1');
    expect(external.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(external.spec.target).toEqual({ name: 'prod-portcullis-secrets', creationPolicy: 'Orphan' });
    expect(external.spec.data).toEqual(secretItems.map(([, item]) => ({ secretKey: item.key, remoteRef: item.remoteRef })));
    for (const deployment of ['gateway', 'api'])
      expect(podSpec(find(rendered, 'Deployment', `prod-portcullis-${deployment}`)).volumes).toContainEqual(
        expect.objectContaining({ name: 'secrets', secret: expect.objectContaining({ secretName: 'prod-portcullis-secrets' }) }),
      );
    // Neither: an existing Secret must be named.
    expect(() => renderChart({ secrets: { create: false } })).toThrow(/secrets\.existingSecret is required/);
    const existing = renderChart({ secrets: { create: false, existingSecret: 'mine' } });
    expect(podSpec(find(existing, 'Deployment', 'prod-portcullis-gateway')).volumes).toContainEqual(
      expect.objectContaining({ secret: expect.objectContaining({ secretName: 'mine' }) }),
    );
  });

  it('NetworkPolicy: gateway egress only to DNS, the database, Redis and public 443', () => {
    const policy = find(manifests, 'NetworkPolicy', 'prod-portcullis-gateway');
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const egress = policy.spec.egress as { to: Record<string, Value>[]; ports: { protocol: string; port: number }[] }[];
    expect(egress.map((rule) => rule.ports.map((p) => `${p.protocol}/${p.port}`).join(','))).toEqual([
      'UDP/53,TCP/53',
      'TCP/5432',
      'TCP/6379',
      'TCP/443',
    ]);
    expect(egress[0]!.to).toEqual([{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }]);
    const providers = egress[3]!.to as { ipBlock: { cidr: string; except: string[] } }[];
    expect(providers.map((p) => p.ipBlock.cidr)).toEqual(['0.0.0.0/0', '::/0']);
    for (const range of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'])
      expect(providers[0]!.ipBlock.except).toContain(range);
    expect(providers[1]!.ipBlock.except).toEqual(expect.arrayContaining(['fc00::/7', 'fe80::/10']));
    expect(policy.spec.podSelector).toEqual({ matchLabels: expect.objectContaining({ 'app.kubernetes.io/component': 'gateway' }) });
    const migrate = find(manifests, 'NetworkPolicy', 'prod-portcullis-migrate');
    expect((migrate.spec.egress as unknown[]).length).toBe(2);
    expect(find(manifests, 'NetworkPolicy', 'prod-portcullis-api').spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(
      renderChart(merge(filledSecrets, { networkPolicy: { enabled: false } }) as Record<string, Value>).some(
        (m) => m.kind === 'NetworkPolicy',
      ),
    ).toBe(false);
  });

  it('ServiceMonitor only when enabled: the metrics port of both Services, with the token from the Secret when there is one', () => {
    expect(manifests.some((m) => m.kind === 'ServiceMonitor')).toBe(false);
    const monitor = find(
      renderChart(merge(filledSecrets, { serviceMonitor: { enabled: true } }) as Record<string, Value>),
      'ServiceMonitor',
      'prod-portcullis',
    );
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s', honorLabels: true }]);
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['llm'] });
    // Its selector matches both Services, and both name the port it scrapes.
    const selector = (monitor.spec.selector as { matchLabels: Record<string, string> }).matchLabels;
    for (const service of ['gateway', 'api']) {
      const target = find(manifests, 'Service', `prod-portcullis-${service}`);
      expect((target.metadata as { labels?: Record<string, string> }).labels).toMatchObject(selector);
      expect((target.spec.ports as { name: string }[]).map((p) => p.name)).toContain('metrics');
    }

    const withToken = renderChart(
      merge(filledSecrets, {
        serviceMonitor: { enabled: true },
        secrets: { items: { metricsToken: { enabled: true, value: 'value-of-metricsToken' } } },
      }) as Record<string, Value>,
    );
    expect(find(withToken, 'ServiceMonitor', 'prod-portcullis').spec.endpoints).toEqual([
      {
        port: 'metrics',
        path: '/metrics',
        interval: '30s',
        honorLabels: true,
        bearerTokenSecret: { name: 'prod-portcullis-secrets', key: 'metrics-token' },
      },
    ]);
    expect(find(withToken, 'Secret', 'prod-portcullis-secrets').stringData).toHaveProperty('metrics-token');
    for (const service of ['gateway', 'api'])
      expect(podSpec(find(withToken, 'Deployment', `prod-portcullis-${service}`)).containers[0]!.env).toContainEqual({
        name: 'METRICS_TOKEN_FILE',
        value: '/run/secrets/portcullis/metrics-token',
      });
    expect(() =>
      renderChart(merge(filledSecrets, { serviceMonitor: { enabled: true }, metrics: { enabled: false } }) as Record<string, Value>),
    ).toThrow(/serviceMonitor\.enabled needs metrics\.enabled/);
  });

  it('NetworkPolicy: the metrics port is open to metrics.ingressFrom only', () => {
    const monitoring = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }];
    const rendered = renderChart(merge(filledSecrets, { metrics: { ingressFrom: monitoring } }) as Record<string, Value>);
    for (const [service, port] of [
      ['gateway', 4000],
      ['api', 4001],
    ] as const) {
      const ingress = find(rendered, 'NetworkPolicy', `prod-portcullis-${service}`).spec.ingress as {
        ports: { port: number }[];
        from?: unknown[];
      }[];
      expect(ingress.map((rule) => rule.ports.map((p) => p.port))).toEqual([[port], [9464]]);
      expect(ingress[1]!.from).toEqual(monitoring);
    }
  });
});

// ---- docker compose -----------------------------------------------------------------------------

type ComposeService = {
  image?: string;
  command?: string | string[];
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  tmpfs?: string[];
  environment?: Record<string, string>;
  secrets?: (string | { source: string; target?: string })[];
  depends_on?: Record<string, { condition: string }>;
};

describe('deploy/docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, ComposeService>;
    secrets: Record<string, { file: string }>;
  };
  const portcullis = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith('portcullis'));

  it('migrate, api and two gateway replicas behind a load balancer', () => {
    expect(portcullis.map(([name, s]) => `${name}:${String(s.command)}`).sort()).toEqual([
      'api:api',
      'gateway-1:gateway',
      'gateway-2:gateway',
      'migrate:migrate',
    ]);
    expect(compose.services.postgres!.image).toBe('postgres:15');
    expect(compose.services.redis!.image).toBe('redis:7');
    for (const name of ['api', 'gateway-1', 'gateway-2'])
      expect(compose.services[name]!.depends_on?.['db-logins']).toEqual({ condition: 'service_completed_successfully' });
    expect(compose.services['db-logins']!.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    const nginx = read('nginx.conf');
    expect(nginx).toMatch(/server gateway-1:4000/);
    expect(nginx).toMatch(/server gateway-2:4000/);
  });

  it('every Portcullis container: non-root, read-only, no capabilities, no new privileges', () => {
    for (const [name, service] of portcullis) {
      expect(service.user, name).toBe('10001:10001');
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toContain('no-new-privileges:true');
      expect(
        service.tmpfs?.some((t) => t.startsWith('/tmp')),
        name,
      ).toBe(true);
    }
  });

  it('every secret through a Docker secret and NAME_FILE; names checked against src/config/variables.ts', () => {
    for (const [name, service] of portcullis) {
      const env = service.environment ?? {};
      const targets = (service.secrets ?? []).map((s) => (typeof s === 'string' ? s : (s.target ?? s.source)));
      for (const source of (service.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source)))
        expect(compose.secrets[source], source).toBeDefined();
      for (const [key, value] of Object.entries(env)) {
        const base = key.endsWith('_FILE') ? key.slice(0, -'_FILE'.length) : key;
        expect(isVariableName(base), `${name}: ${key} is not in src/config/variables.ts`).toBe(true);
        const secret = variableMeta(base as VariableName).secret === true;
        if (key.endsWith('_FILE')) {
          expect(secret, `${name}: ${key}`).toBe(true);
          expect(targets, `${name}: ${key}=${value}`).toContain(value.replace(/^\/run\/secrets\//, ''));
        } else expect(secret, `${name}: ${key} is a secret, pass ${key}_FILE`).toBe(false);
      }
      for (const required of ['AUTH_SECRET_FILE', 'MASTER_KEY_FILE', 'DATABASE_URL_FILE']) expect(env, name).toHaveProperty(required);
    }
    for (const name of ['api', 'gateway-1', 'gateway-2']) expect(compose.services[name]!.environment).toHaveProperty('REDIS_URL_FILE');
    // One database login per service, the owner for the migration.
    const dbSource = (name: string) =>
      (compose.services[name]!.secrets ?? []).flatMap((s) => (typeof s === 'object' && s.target === 'database_url' ? [s.source] : []));
    expect(['migrate', 'api', 'gateway-1', 'gateway-2'].map(dbSource)).toEqual([
      ['database_url_owner'],
      ['database_url_api'],
      ['database_url_gateway'],
      ['database_url_gateway'],
    ]);
    const generator = read('compose/generate-secrets.sh');
    for (const secret of Object.keys(compose.secrets)) expect(generator, secret).toContain(`put ${secret} `);
  });
});

// ---- Dockerfile ---------------------------------------------------------------------------------

describe('deploy/Dockerfile', () => {
  const dockerfile = read('Dockerfile').replace(/\\\n/g, ' ');
  const instructions = dockerfile.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));

  it('multi-stage: builds with dev dependencies, runs with production dependencies only', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(instructions.filter((l) => l.startsWith('FROM '))).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE} AS runtime']);
    const [build, runtime] = dockerfile.split(/^FROM \$\{NODE_IMAGE\} AS runtime$/m);
    expect(build).toMatch(/RUN npm ci --ignore-scripts\n/);
    expect(build).toMatch(/RUN npm run build/);
    expect(runtime).toMatch(/RUN npm ci --omit=dev /);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(runtime).toMatch(/COPY src\/db\/migrations /);
  });

  it('non-root, writable volumes only, HEALTHCHECK on /healthz, the CLI as entrypoint', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> };
    expect(readFileSync(new URL(`../${pkg.bin.portcullis}`, import.meta.url), 'utf8')).toContain('../dist/cli.js');
    expect(instructions).toContain('USER 10001:10001');
    expect(instructions).toContain('WORKDIR /app');
    expect(instructions).toContain('VOLUME ["/data", "/tmp"]');
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\/healthz/m);
    expect(instructions).toContain('ENTRYPOINT ["node", "dist/cli.js"]');
    expect(instructions.at(-1)).toBe('CMD ["start"]');
    const env = /^ENV (.*)$/m.exec(dockerfile)![1]!;
    for (const [, name] of env.matchAll(/(\w+)=/g))
      if (name !== 'NPM_CONFIG_UPDATE_NOTIFIER') expect(isVariableName(name!), name).toBe(true);
  });
});
