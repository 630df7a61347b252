/**
 * Starts the HTTP services of one process (gateway, api, or both) on a Runtime, plus the
 * loopback admin endpoint when the embedded data dir is held, and stops them in order.
 */
import { systemActor } from '../audit/context.js';
import type { GatewayServices } from '../gateway/services.js';
import { startHttpServer, type RunningServer } from '../http/serve.js';
import type { Runtime } from './runtime.js';
import { startTracing, type RunningTracing } from '../observability/tracing.js';

// Each service's code is imported only by the processes that run it: a gateway never loads the
// api, its sign-in and setup code, and the reverse (resident memory per replica).
const loadGateway = () => Promise.all([import('../gateway/app.js'), import('../gateway/services.js')]);
const loadApi = () => Promise.all([import('../api/app.js'), import('../setup/setup-link.js'), import('../api/usage/live-counters.js')]);
const loadMetrics = () =>
  Promise.all([
    import('../observability/metrics-endpoint.js'),
    import('../observability/runtime-sources.js'),
    import('../observability/process-metrics.js'),
  ]);
const loadAdmin = () => Promise.all([import('../admin/app.js'), import('../admin/admin-token.js')]);

export type ServiceName = 'gateway' | 'api';

/**
 * The URL this process can call its own gateway at (provider-key connection tests): a wildcard
 * bind address (HOST=0.0.0.0 or ::) is where the server listens, not an address to connect to.
 */
function callableUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  else if (parsed.hostname === '[::]') parsed.hostname = '[::1]';
  return parsed.origin;
}

export type RunningServices = {
  gateway: RunningServer | undefined;
  api: RunningServer | undefined;
  /** The METRICS_PORT listener (GET /metrics only), when configured. */
  metrics: RunningServer | undefined;
  admin: RunningServer | undefined;
  setupLink: string | undefined;
  /** Drains HTTP (in-flight requests finish), then closes the runtime. Idempotent. */
  stop(): Promise<void>;
};

export async function startServices(
  runtime: Runtime,
  services: ServiceName[],
  options: { announce?: (line: string) => void } = {},
): Promise<RunningServices> {
  const { config, logger } = runtime;
  const started: RunningServer[] = [];
  let adminToken: { remove(): void } | undefined;
  let gatewayServices: GatewayServices | undefined;
  let stopRetention: () => Promise<void> | undefined = () => undefined;
  let tracing: RunningTracing | undefined;
  const unwatch: (() => void)[] = [];
  const stopServers = async () => {
    await stopRetention();
    await Promise.all(started.map((s) => s.close(config.shutdownTimeoutMs)));
    // After the last request drained: flush the request logs, close upstream connections.
    await gatewayServices?.close();
    // Last: the spans of the drained requests and of the final log flush are exported first.
    await tracing?.shutdown();
    // After the writer closed, so the entries it could not write still reach the drop counter.
    for (const stop of unwatch) stop();
    adminToken?.remove();
  };
  try {
    // Before the servers, so the first request is traced; loads the OTel SDK only when configured.
    tracing = await startTracing(config.tracing, services, logger);
    // One registry per process: with both services here, their series differ by the `service` label.
    const [metricsEndpoint, runtimeSources, processMetrics] = await loadMetrics();
    processMetrics.enableProcessMetrics();
    unwatch.push(runtimeSources.watchDatabasePool(runtime.database));
    const gatewayModules = services.includes('gateway') ? await loadGateway() : undefined;
    gatewayServices = gatewayModules ? gatewayModules[1].createGatewayServices(runtime) : undefined;
    if (gatewayServices) unwatch.push(runtimeSources.watchRequestLogWriter(gatewayServices.logWriter));
    const gateway =
      gatewayModules && gatewayServices
        ? await startHttpServer({
            app: gatewayModules[0].createGatewayApp(runtime, gatewayServices),
            host: config.host,
            port: config.gatewayPort,
            tls: config.tls,
            logger: logger.child({ service: 'gateway' }),
          })
        : undefined;
    if (gateway) started.push(gateway);
    const apiModules = services.includes('api') ? await loadApi() : undefined;
    const api = apiModules
      ? await startHttpServer({
          app: apiModules[0].createApiApp(runtime, {
            liveUsage: apiModules[2].liveUsageFrom(runtime.usageCounters),
            ...(config.gatewayInternalUrl
              ? { gatewayUrl: config.gatewayInternalUrl }
              : gateway
                ? { gatewayUrl: callableUrl(gateway.url) }
                : {}),
          }),
          host: config.host,
          port: config.apiPort,
          tls: config.tls,
          logger: logger.child({ service: 'api' }),
        })
      : undefined;
    if (api) started.push(api);
    const metrics =
      config.metrics.port !== undefined
        ? await startHttpServer({
            app: metricsEndpoint.createMetricsApp(config.metrics, logger),
            host: config.host,
            port: config.metrics.port,
            tls: config.tls,
            logger: logger.child({ service: 'metrics' }),
          })
        : undefined;
    if (metrics) started.push(metrics);
    // Retention runs beside the api: any number of replicas may run it (it locks per chain).
    const retention = api ? (await import('../governance/retention-schedule.js')).startRetention(runtime) : undefined;
    stopRetention = () => retention?.stop();
    // SIEM delivery too: chains are leased to one replica at a time (audit/siem/worker.ts).
    const siem = api ? (await import('../audit/siem/start.js')).startSiem(runtime) : undefined;
    stopRetention = () => Promise.all([retention?.stop(), siem?.stop()]).then(() => undefined);

    let admin: RunningServer | undefined;
    if (runtime.lock) {
      const [{ createAdminApp }, { writeAdminToken }] = await loadAdmin();
      const token = writeAdminToken(config.dataDir);
      adminToken = token;
      admin = await startHttpServer({
        app: createAdminApp(runtime, token.token, { services }),
        host: '127.0.0.1',
        port: 0,
        logger: logger.child({ service: 'admin' }),
      });
      started.push(admin);
      runtime.lock.setAdminUrl(admin.url);
    }

    let setupLink: string | undefined;
    if (api && apiModules && !(await apiModules[1].instanceHasAdmin(runtime.apiDb))) {
      const publicUrl =
        config.origins.PUBLIC_URL === 'default' ? `${config.tls ? 'https' : 'http'}://localhost:${api.port}` : config.publicUrl;
      const link = await apiModules[1].issueSetupLink(runtime.apiDb, publicUrl, {
        actor: systemActor('server', runtime.host),
        requestId: null,
      });
      setupLink = link?.url;
      if (link) {
        // Printed, not logged: the link is a one-time credential for the person at the terminal.
        (options.announce ?? ((line) => process.stderr.write(line + '\n')))(
          `\n  Portcullis has no administrator yet. Open this one-time link (valid until ${link.expiresAt.toISOString()}) to create the first account:\n\n    ${link.url}\n`,
        );
      }
    }

    let stopping: Promise<void> | undefined;
    return {
      gateway,
      api,
      metrics,
      admin,
      setupLink,
      stop() {
        stopping ??= (async () => {
          logger.info('shutting down: draining in-flight requests');
          await stopServers();
          await runtime.close();
          logger.info('shutdown complete');
        })();
        return stopping;
      },
    };
  } catch (error) {
    await stopServers();
    throw error;
  }
}
