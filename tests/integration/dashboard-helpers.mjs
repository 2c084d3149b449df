// Helpers for the dashboard tests (integration and browser): dashboard tokens, and a dashboard
// watched with the official client that keeps the latest snapshot the service pushed.
import { signalR, mintToken, waitFor } from "./helpers.mjs";

/** A dashboard token's audience (the port dropped, like every audience). */
export const DASHBOARD_AUD = "http://localhost/dashboard";

export const dashboardToken = (svc, opts = {}) => mintToken(opts.key ?? svc.key, { aud: DASHBOARD_AUD, ...opts });

/**
 * Connect the official client to the dashboard's hub, as the page does.
 * Returns {connection, snapshots[], latest(), until(pred, what), closed, stop()}.
 */
export async function watchDashboard(svc, { token = dashboardToken(svc) } = {}) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${svc.base}/dashboard/hub`, { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.None)
    .build();
  const d = { connection, snapshots: [], closeError: undefined };
  connection.on("snapshot", (s) => d.snapshots.push(s));
  d.closed = new Promise((resolve) => connection.onclose((e) => resolve((d.closeError = e))));
  d.latest = () => d.snapshots[d.snapshots.length - 1];
  /** Wait for a snapshot (pushed from now on) for which pred holds; returns it. */
  d.until = async (pred, what = "snapshot", timeout = 5000) => {
    const from = d.snapshots.length;
    let found;
    await waitFor(() => (found = d.snapshots.slice(from).find(pred)) !== undefined, {
      timeout,
      message: `${what}; latest snapshot: ${JSON.stringify(d.latest())?.slice(0, 2000)}`,
    });
    return found;
  };
  d.stop = async () => {
    try {
      await connection.stop();
    } catch {
      /* ignore */
    }
  };
  await connection.start();
  return d;
}
