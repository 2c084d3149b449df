// Switchboard dashboard: connects to the service's dashboard hub with the token of the page's URL
// (?access_token=...) and redraws the page from every `snapshot` the service pushes (about one a
// second). Every value from the service is put in the page as text, never as HTML.
"use strict";

(() => {
  const token = new URLSearchParams(location.search).get("access_token") || "";
  // "/dashboard" (or "/prefix/dashboard" behind a proxy that keeps the path).
  const base = location.pathname.replace(/\/(index\.html)?$/, "");
  const $ = (id) => document.getElementById(id);

  function setStatus(text, kind) {
    const status = $("status");
    status.textContent = text;
    status.className = `status status-${kind}`;
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text === null || text === undefined || text === "" ? "—" : String(text);
    if (className) td.className = className;
    return td;
  }

  function list(items, total) {
    if (!items || items.length === 0) return "";
    const more = total !== undefined && total > items.length ? ` (+${total - items.length} more)` : "";
    return items.join(", ") + more;
  }

  // Replaces the rows of table `id` with one row per item; `fill(row, item)` adds the cells.
  function fillTable(id, items, fill, emptyText, key) {
    const body = $(id).tBodies[0];
    body.replaceChildren();
    if (!items || items.length === 0) {
      const row = body.insertRow();
      const td = cell(row, emptyText, "empty");
      td.colSpan = $(id).tHead.rows[0].cells.length;
      return;
    }
    for (const item of items) {
      const row = body.insertRow();
      if (key) row.dataset.key = key(item);
      fill(row, item);
    }
  }

  const rate = (value) => (value === null || value === undefined ? "–" : value >= 100 ? value.toFixed(0) : value.toFixed(1));

  function render(snapshot) {
    $("node").textContent = snapshot.node || "this node";
    const updated = new Date(snapshot.time);
    $("updated").textContent = updated.toLocaleTimeString();
    $("updated").dateTime = updated.toISOString();
    $("total-hubs").textContent = snapshot.totals.hubs;
    $("total-connections").textContent = snapshot.totals.connections;
    $("total-users").textContent = snapshot.totals.users;
    $("total-groups").textContent = snapshot.totals.groups;
    $("rate-in").textContent = rate(snapshot.rates && snapshot.rates.messagesInPerSecond);
    $("rate-out").textContent = rate(snapshot.rates && snapshot.rates.messagesOutPerSecond);
    const truncated = $("truncated");
    const cut = snapshot.totals.connections > snapshot.connections.length;
    truncated.hidden = !cut;
    truncated.textContent = cut ? `Listing the first ${snapshot.listLimit} connections, users and groups.` : "";

    fillTable("hubs", snapshot.hubs, (row, hub) => {
      cell(row, hub.name);
      cell(row, hub.connections, "number");
      cell(row, hub.users, "number");
      cell(row, hub.groups, "number");
    }, "No hub has connections.", (hub) => hub.name);
    fillTable("connections", snapshot.connections, (row, c) => {
      cell(row, c.id).className = "id";
      cell(row, c.hub);
      cell(row, c.user);
      cell(row, c.transport);
      cell(row, c.protocol);
      cell(row, c.node);
      cell(row, list(c.groups));
    }, "No connections.", (c) => c.id);
    fillTable("users", snapshot.users, (row, u) => {
      cell(row, u.hub);
      cell(row, u.user);
      cell(row, list(u.connections, u.connectionCount));
    }, "No users connected.", (u) => `${u.hub}/${u.user}`);
    fillTable("groups", snapshot.groups, (row, g) => {
      cell(row, g.hub);
      cell(row, g.group);
      cell(row, list(g.users));
      cell(row, list(g.connections, g.connectionCount));
    }, "No groups.", (g) => `${g.hub}/${g.group}`);
    const errors = (snapshot.errors || []).slice().reverse(); // newest first
    fillTable("errors", errors, (row, e) => {
      cell(row, new Date(e.time).toLocaleTimeString());
      cell(row, e.level, `level-${e.level}`);
      cell(row, e.message);
    }, "No warnings or errors logged.");
  }

  async function start() {
    if (typeof signalR === "undefined") {
      setStatus("The SignalR client did not load (see /dashboard/signalr.js)", "down");
      return;
    }
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${base}/hub`, { accessTokenFactory: () => token, transport: signalR.HttpTransportType.WebSockets })
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    connection.on("snapshot", (snapshot) => {
      setStatus("Live", "live");
      render(snapshot);
    });
    connection.onreconnecting(() => setStatus("Reconnecting…", "connecting"));
    connection.onreconnected(() => setStatus("Live", "live"));
    connection.onclose((error) => setStatus(error ? `Disconnected: ${error.message}` : "Disconnected", "down"));
    try {
      await connection.start();
    } catch (error) {
      setStatus(`Cannot connect: ${error.message}`, "down");
    }
  }

  start();
})();
