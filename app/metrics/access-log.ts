// vLLM's uvicorn writes one access-log line per HTTP request unless told not to
// (vllm-runtime.md §3), so scraping /metrics every second adds a log line every second. The
// remedy depends on the version: v0.17+ can leave just /health and /metrics out of the access
// log (vllm-cli.md: --disable-access-log-for-endpoints); older versions can only drop all of it.
import type { Remedy } from '../contract/common';
import { parseVersion, versionAtLeast } from '../launch/catalog';

export const ENDPOINT_FILTER_SINCE = '0.17.0';

/** Whether an argv already keeps scrapes out of the access log (either flag, any spelling). */
export function accessLogQuiet(argv: readonly string[]): boolean {
  return argv.some(
    (a) =>
      a === '--disable-uvicorn-access-log' ||
      a.startsWith('--disable-uvicorn-access-log=') ||
      a === '--disable-access-log-for-endpoints' ||
      a.startsWith('--disable-access-log-for-endpoints=') ||
      a === '--disable_uvicorn_access_log' ||
      a.startsWith('--disable_access_log_for_endpoints'),
  );
}

/** The flag to suggest for a server of this version (null/unknown: the one every version has). */
export function accessLogRemedy(version: string | null | undefined, intervalMs: number): Remedy {
  const every = intervalMs >= 1000 ? `${(intervalMs / 1000).toFixed(intervalMs % 1000 === 0 ? 0 : 1)} s` : `${intervalMs} ms`;
  if (version && parseVersion(version) && versionAtLeast(version, ENDPOINT_FILTER_SINCE)) {
    return {
      label: `vLLM logs one access line per scrape (every ${every}): add --disable-access-log-for-endpoints /health,/metrics`,
      action: { type: 'set-flag', flag: 'disable-access-log-for-endpoints', value: '/health,/metrics' },
    };
  }
  return {
    label: `vLLM logs one access line per scrape (every ${every}): add --disable-uvicorn-access-log${version ? '' : ' (or, on vLLM 0.17+, --disable-access-log-for-endpoints /health,/metrics)'}`,
    action: { type: 'set-flag', flag: 'disable-uvicorn-access-log', value: true },
  };
}
