// Switchboard Chat: the page. Plain JavaScript, no build step. Signs in through the app's `login` function
// (/api/login), then talks over one SignalR connection (the official browser client, window.signalR,
// served by /api/lib/signalr.js): it invokes the app's SignalR trigger functions (sendMessage,
// joinGroup, ...) and receives messages live. Who is online comes from the connected/disconnected
// trigger functions.
//
// All user-provided text is put into the page with textContent, never as HTML.
"use strict";

(() => {
  const STORAGE_KEY = "switchboard-chat-session";
  const MAX_MESSAGES = 500;

  const $ = (id) => document.getElementById(id);
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const state = {
    session: null, // {token, name, userId, expiresAt}
    connection: null,
    roster: new Map(), // userId -> name
    online: new Map(), // userId -> Set of their connection ids this page knows of (not ours)
    groups: [], // joined group names, sorted
    target: "all", // "all" | "user:<id>" | "group:<name>"
    unread: 0,
  };

  // -------------------------------------------------------------------------------------------------
  // Calls to the functions

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, body) {
    let response;
    try {
      response = await fetch(`/api/${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(state.session ? { authorization: `Bearer ${state.session.token}` } : {}),
        },
        body: JSON.stringify(body ?? {}),
      });
    } catch {
      throw new ApiError(0, "The server cannot be reached. Check your connection and try again.");
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      /* no JSON body */
    }
    if (!response.ok) {
      const message = (data && (data.error || data.message)) || `The server answered ${response.status}.`;
      if (response.status === 401 && state.session) {
        signOut({ message: "Your session has expired. Please sign in again.", quiet: true });
      }
      throw new ApiError(response.status, message);
    }
    return data;
  }

  /** Invokes a SignalR trigger function; rejects with the function's error message. */
  async function call(method, ...args) {
    const connection = state.connection;
    if (!connection || connection.state !== signalR.HubConnectionState.Connected)
      throw new Error("Not connected to the chat right now; wait until the status says Connected.");
    return connection.invoke(method, ...args);
  }

  function showError(node, message) {
    node.textContent = message || "";
    node.hidden = !message;
  }

  // -------------------------------------------------------------------------------------------------
  // Helpers for names, avatars and times

  function hue(text) {
    let h = 0;
    for (const ch of text) h = (h * 31 + ch.codePointAt(0)) % 360;
    return h;
  }

  function initials(name) {
    const parts = name.trim().split(/[\s._-]+/).filter(Boolean);
    const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]].map((p) => [...p][0]) : [...(parts[0] || "?")].slice(0, 1);
    return letters.join("").toUpperCase();
  }

  function avatar(name, extra = "") {
    const node = el("span", `avatar ${extra}`.trim(), initials(name));
    node.style.setProperty("--hue", String(hue(name)));
    node.setAttribute("aria-hidden", "true");
    return node;
  }

  function timeOf(iso) {
    const date = iso ? new Date(iso) : new Date();
    const node = el("time", "time", date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
    node.dateTime = date.toISOString();
    node.title = date.toLocaleString();
    return node;
  }

  const isMe = (userId) => state.session && userId === state.session.userId;

  // -------------------------------------------------------------------------------------------------
  // Messages

  const messages = $("messages");

  function nearBottom() {
    return messages.scrollHeight - messages.scrollTop - messages.clientHeight < 120;
  }

  function append(item, { mine = false } = {}) {
    const stick = mine || nearBottom();
    $("messages-empty").hidden = true;
    messages.append(item);
    while (messages.children.length > MAX_MESSAGES + 1) messages.children[1].remove();
    if (stick) messages.scrollTop = messages.scrollHeight;
    if (document.body.dataset.tab !== "chat" && isPhone()) {
      state.unread += 1;
      renderUnread();
    }
  }

  /** A chat message: kind "everyone" | "private" | "group". */
  function addMessage(kind, m) {
    const mine = isMe(m.fromId);
    const item = el("li", `message kind-${kind}${mine ? " mine" : ""}`);
    item.dataset.kind = kind;
    item.dataset.from = m.fromId || "";
    // A follow-up from the same sender shows no second avatar.
    const last = messages.lastElementChild;
    if (last && last.classList.contains("message") && last.dataset.from === item.dataset.from) item.classList.add("follow-up");
    if (!mine) item.append(avatar(m.from || "?"));
    const bubble = el("div", "bubble");
    const meta = el("div", "meta");
    meta.append(el("span", "from", mine ? "You" : m.from));
    if (kind === "private") {
      const other = mine ? m.to : "you";
      meta.append(el("span", "badge badge-private", mine ? `Private to ${other}` : "Private"));
    } else if (kind === "group") {
      meta.append(el("span", "badge badge-group", `# ${m.group}`));
    }
    meta.append(timeOf(m.at));
    bubble.append(meta, el("p", "text", m.text));
    item.append(bubble);
    append(item, { mine });
  }

  function addNotice(text, at) {
    const item = el("li", "notice");
    item.dataset.kind = "notice";
    const span = el("span", "notice-text", text);
    span.append(" · ", timeOf(at));
    item.append(span);
    append(item);
  }

  // -------------------------------------------------------------------------------------------------
  // Roster, groups and the target selector

  function renderRoster() {
    const list = $("roster");
    list.replaceChildren();
    const people = [...state.roster.entries()].sort(([a, an], [b, bn]) => {
      if (isMe(a) !== isMe(b)) return isMe(a) ? -1 : 1;
      return an.localeCompare(bn, undefined, { sensitivity: "base" });
    });
    for (const [userId, name] of people) {
      const li = el("li", "person");
      const button = el("button", "person-button");
      button.type = "button";
      button.dataset.user = userId;
      const label = el("span", "person-name", name);
      const presence = el("span", "presence");
      presence.setAttribute("aria-hidden", "true");
      const av = avatar(name);
      av.append(presence);
      button.append(av, label);
      if (isMe(userId)) {
        button.append(el("span", "you", "you"));
        button.disabled = true;
        button.setAttribute("aria-label", `${name} (you)`);
      } else {
        const hint = el("span", "person-action", "Message");
        hint.setAttribute("aria-hidden", "true");
        button.append(hint);
        button.setAttribute("aria-label", `Send a private message to ${name}`);
        if (state.target === `user:${userId}`) button.classList.add("selected");
        button.addEventListener("click", () => {
          setTarget(`user:${userId}`);
          selectTab("chat");
          $("text").focus();
        });
      }
      li.append(button);
      list.append(li);
    }
    const n = String(state.roster.size);
    $("people-count").textContent = n;
    $("people-count-tab").textContent = n;
    renderTargets();
  }

  function renderGroups() {
    const list = $("groups");
    list.replaceChildren();
    for (const group of state.groups) {
      const li = el("li", "group");
      const pick = el("button", "group-button");
      pick.type = "button";
      pick.setAttribute("aria-label", `Write to group ${group}`);
      pick.append(el("span", "hash", "#"), el("span", "group-name", group));
      if (state.target === `group:${group}`) pick.classList.add("selected");
      pick.addEventListener("click", () => {
        setTarget(`group:${group}`);
        selectTab("chat");
        $("text").focus();
      });
      const leave = el("button", "ghost leave", "Leave");
      leave.type = "button";
      leave.setAttribute("aria-label", `Leave group ${group}`);
      leave.addEventListener("click", () => leaveGroup(group, leave));
      li.append(pick, leave);
      list.append(li);
    }
    $("groups-empty").hidden = state.groups.length > 0;
    const n = String(state.groups.length);
    $("groups-count").textContent = n;
    $("groups-count-tab").textContent = n;
    renderTargets();
  }

  function renderTargets() {
    const select = $("target");
    const options = [["all", "Everyone"]];
    const people = [...state.roster.entries()].filter(([id]) => !isMe(id)).sort(([, a], [, b]) => a.localeCompare(b));
    const groups = state.groups.map((g) => [`group:${g}`, `# ${g}`]);
    // A private conversation stays selectable even after that person left.
    if (state.target.startsWith("user:") && !state.roster.has(state.target.slice(5))) people.push([state.target.slice(5), state.target.slice(5)]);
    select.replaceChildren();
    for (const [value, label] of options) select.append(new Option(label, value));
    if (people.length) {
      const og = el("optgroup");
      og.label = "Private message";
      for (const [id, name] of people) og.append(new Option(name, `user:${id}`));
      select.append(og);
    }
    if (groups.length) {
      const og = el("optgroup");
      og.label = "Your groups";
      for (const [value, label] of groups) og.append(new Option(label, value));
      select.append(og);
    }
    select.value = state.target;
    if (select.value !== state.target) {
      state.target = "all";
      select.value = "all";
    }
    updatePlaceholder();
  }

  function setTarget(target) {
    state.target = target;
    renderRoster();
    renderGroups();
  }

  function updatePlaceholder() {
    const t = state.target;
    const input = $("text");
    const composer = $("composer");
    composer.dataset.target = t.split(":")[0];
    if (t === "all") input.placeholder = "Message everyone";
    else if (t.startsWith("user:")) input.placeholder = `Private message to ${state.roster.get(t.slice(5)) || t.slice(5)}`;
    else input.placeholder = `Message # ${t.slice(6)}`;
  }

  function addToRoster(userId, name) {
    const known = state.roster.has(userId);
    state.roster.set(userId, name || userId);
    if (!known) renderRoster();
    return !known;
  }

  function addGroup(group) {
    if (state.groups.includes(group)) return;
    state.groups = [...state.groups, group].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base" }));
    saveSession();
    renderGroups();
  }

  function removeGroup(group) {
    state.groups = state.groups.filter((g) => g !== group);
    if (state.target === `group:${group}`) state.target = "all";
    saveSession();
    renderGroups();
  }

  // -------------------------------------------------------------------------------------------------
  // Actions

  async function send(event) {
    event.preventDefault();
    const input = $("text");
    const text = input.value.trim();
    showError($("send-error"), "");
    if (!text) return;
    const t = state.target;
    const button = $("send-button");
    button.disabled = true;
    try {
      if (t === "all") await call("sendMessage", text);
      else if (t.startsWith("user:")) await call("sendPrivate", t.slice(5), text);
      else await call("sendToGroup", t.slice(6), text);
      input.value = "";
    } catch (e) {
      showError($("send-error"), e.message);
    } finally {
      button.disabled = false;
      input.focus();
    }
  }

  async function joinGroup(event) {
    event.preventDefault();
    const input = $("group-name");
    const button = $("join-button");
    showError($("group-error"), "");
    button.disabled = true;
    try {
      const { group } = await call("joinGroup", input.value);
      input.value = "";
      addGroup(group);
      setTarget(`group:${group}`);
    } catch (e) {
      showError($("group-error"), e.message);
    } finally {
      button.disabled = false;
    }
  }

  async function leaveGroup(group, button) {
    showError($("group-error"), "");
    button.disabled = true;
    try {
      await call("leaveGroup", group);
      removeGroup(group);
    } catch (e) {
      button.disabled = false;
      showError($("group-error"), e.message);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Connection

  function setStatus(kind, text) {
    $("status").dataset.state = kind;
    $("status-text").textContent = text;
    document.body.dataset.connection = kind;
  }

  function resetRoster() {
    state.roster.clear();
    state.online.clear();
    state.roster.set(state.session.userId, state.session.name);
    renderRoster();
  }

  /** One of a user's connections is online; true when the user was not. */
  function cameOnline(userId, name, connectionId) {
    if (!state.online.has(userId)) state.online.set(userId, new Set());
    state.online.get(userId).add(connectionId);
    return addToRoster(userId, name);
  }

  /** One of a user's connections ended; true when it was their last one this page knew of. */
  function wentOffline(userId, connectionId) {
    const connections = state.online.get(userId);
    if (!connections || !connections.delete(connectionId) || connections.size > 0) return false;
    state.online.delete(userId);
    state.roster.delete(userId);
    renderRoster();
    return true;
  }

  async function connect() {
    if (!window.signalR) {
      setStatus("disconnected", "Client missing");
      showError($("send-error"), "The SignalR client did not load (/api/lib/signalr.js). Run `npm ci` at the repository root.");
      return;
    }
    const connection = new signalR.HubConnectionBuilder()
      .withUrl("/api", { accessTokenFactory: () => state.session.token })
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    state.connection = connection;

    connection.on("newMessage", (m) => addMessage("everyone", m));
    connection.on("privateMessage", (m) => addMessage("private", m));
    connection.on("groupMessage", (m) => {
      // Membership lives in the service; a message from a group the page does not list (joined in
      // another tab, or before a reload) makes it listed.
      if (!state.groups.includes(m.group)) addGroup(m.group);
      addMessage("group", m);
    });
    connection.on("groupNotice", (n) => {
      const who = isMe(n.userId) ? "You" : n.name;
      addNotice(`${who} ${n.action === "joined" ? "joined" : "left"} # ${n.group}`, n.at);
    });
    // The connected trigger function tells everyone (this page too) about each new connection; the
    // others answer the newcomer through the `here` function, so it learns who is online.
    connection.on("userJoined", (u) => {
      if (isMe(u.userId)) return; // this page, or another page of ours
      if (cameOnline(u.userId, u.name, u.connectionId)) addNotice(`${u.name} joined the chat`, u.at);
      connection.send("here", u.userId).catch(() => {});
    });
    connection.on("userHere", (u) => {
      if (!isMe(u.userId)) cameOnline(u.userId, u.name, u.connectionId);
    });
    connection.on("userLeft", (u) => {
      if (!isMe(u.userId) && wentOffline(u.userId, u.connectionId)) addNotice(`${u.name} left the chat`, u.at);
    });

    connection.onreconnecting(() => setStatus("reconnecting", "Reconnecting…"));
    connection.onreconnected(() => {
      // A new connection: its connected event makes the others answer again.
      setStatus("connected", "Connected");
      resetRoster();
    });
    connection.onclose(() => {
      if (state.connection !== connection) return;
      setStatus("disconnected", "Disconnected");
      showError($("send-error"), "The live connection was lost. Reload the page to reconnect.");
    });

    setStatus("connecting", "Connecting…");
    try {
      await connection.start();
    } catch (e) {
      if (state.connection !== connection) return;
      setStatus("disconnected", "Disconnected");
      showError($("send-error"), `Could not connect: ${e.message}`);
      return;
    }
    if (state.connection !== connection) return;
    setStatus("connected", "Connected");
  }

  // -------------------------------------------------------------------------------------------------
  // Session

  function saveSession() {
    if (!state.session) return;
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ ...state.session, groups: state.groups }));
    } catch {
      /* storage unavailable: the session lasts as long as the page */
    }
  }

  function loadSession() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
      if (saved && saved.token && saved.expiresAt > Date.now() + 60_000) return saved;
    } catch {
      /* ignore */
    }
    return null;
  }

  function enterChat(session, groups = []) {
    state.session = { token: session.token, name: session.name, userId: session.userId || session.name, expiresAt: session.expiresAt };
    state.groups = [...groups];
    state.target = "all";
    saveSession();
    $("me-name").textContent = state.session.name;
    const me = $("me-avatar");
    me.textContent = initials(state.session.name);
    me.style.setProperty("--hue", String(hue(state.session.name)));
    document.body.dataset.view = "chat";
    $("login-view").hidden = true;
    $("chat-view").hidden = false;
    document.title = `${state.session.name} · Switchboard Chat`;
    resetRoster();
    renderGroups();
    selectTab("chat");
    $("text").focus();
    connect();
  }

  async function signIn(event) {
    event.preventDefault();
    const button = $("login-button");
    showError($("login-error"), "");
    button.disabled = true;
    try {
      const session = await api("login", { name: $("login-name").value });
      enterChat(session);
    } catch (e) {
      showError($("login-error"), e.message);
      $("login-name").focus();
    } finally {
      button.disabled = false;
    }
  }

  async function signOut({ message = "", quiet = false } = {}) {
    const connection = state.connection;
    if (!quiet && state.session) {
      // (Closing the connection is what tells the others: the disconnected trigger function.)
      await Promise.allSettled(state.groups.map((group) => call("leaveGroup", group)));
    }
    state.connection = null;
    state.session = null;
    state.groups = [];
    state.roster.clear();
    state.online.clear();
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      /* ignore */
    }
    if (connection) connection.stop().catch(() => {});
    const list = messages;
    while (list.children.length > 1) list.lastChild.remove();
    $("messages-empty").hidden = false;
    for (const id of ["send-error", "group-error"]) showError($(id), "");
    document.body.dataset.view = "login";
    document.title = "Switchboard Chat";
    $("chat-view").hidden = true;
    $("login-view").hidden = false;
    showError($("login-error"), message);
    $("login-name").focus();
  }

  // -------------------------------------------------------------------------------------------------
  // Phone layout: tabs

  const phoneQuery = window.matchMedia("(max-width: 600px)");
  const isPhone = () => phoneQuery.matches;

  function selectTab(tab) {
    document.body.dataset.tab = tab;
    for (const button of document.querySelectorAll(".tabs [role=tab]")) {
      const selected = button.dataset.tab === tab;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    if (tab === "chat") {
      state.unread = 0;
      renderUnread();
      messages.scrollTop = messages.scrollHeight;
    }
  }

  function renderUnread() {
    const badge = $("unread");
    badge.textContent = state.unread > 99 ? "99+" : String(state.unread);
    badge.hidden = state.unread === 0;
  }

  // -------------------------------------------------------------------------------------------------
  // Wiring

  $("login-form").addEventListener("submit", signIn);
  $("composer").addEventListener("submit", send);
  $("join-form").addEventListener("submit", joinGroup);
  $("sign-out").addEventListener("click", () => signOut());
  $("target").addEventListener("change", (e) => setTarget(e.target.value));
  for (const button of document.querySelectorAll(".tabs [role=tab]")) {
    button.addEventListener("click", () => selectTab(button.dataset.tab));
  }

  const saved = loadSession();
  if (saved) enterChat(saved, Array.isArray(saved.groups) ? saved.groups : []);
  else $("login-name").focus();
})();
