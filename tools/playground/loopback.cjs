// Preload (NODE_OPTIONS="--require /abs/path/loopback.cjs") that keeps a Node server off the network.
//
// The Agents Playground calls `server.listen(port)`, which binds every interface. This wrapper adds
// host 127.0.0.1 whenever a TCP listen call names no host: `listen()`, `listen(cb)`, `listen(port[, backlog][, cb])`
// and `listen({port})`. Calls that name a host, a Unix socket path or a handle are left alone.
// LOOPBACK_HOST overrides the address (e.g. "::1").
"use strict";

const net = require("net");

const HOST = process.env.LOOPBACK_HOST || "127.0.0.1";
const original = net.Server.prototype.listen;

function isPort(value) {
  return typeof value === "number" || (typeof value === "string" && value !== "" && /^\d+$/.test(value));
}

function forceLoopback(args) {
  if (args.length === 0 || typeof args[0] === "function") {
    // listen() / listen(cb): an ephemeral port on every interface.
    return [0, HOST, ...args];
  }
  const [first, ...rest] = args;
  if (isPort(first) || first === undefined || first === null) {
    if (typeof rest[0] === "string") return args; // listen(port, host, ...)
    return [first ?? 0, HOST, ...rest]; // listen(port[, backlog][, cb])
  }
  if (first && typeof first === "object" && !(first._handle || first.fd !== undefined)) {
    if (first.path !== undefined || first.host !== undefined) return args;
    if (first.port === undefined && first.handle !== undefined) return args;
    return [{ ...first, host: HOST }, ...rest];
  }
  return args; // listen(path) / listen(handle)
}

net.Server.prototype.listen = function listenOnLoopback(...args) {
  return original.apply(this, forceLoopback(args));
};
