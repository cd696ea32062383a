// A static server for the load benchmark that serves a built site as GitHub Pages does: HTTPS with
// HTTP/2 (so the browser fetches every file in parallel over one connection instead of six), and,
// with --gzip, `Content-Encoding: gzip` for the types GitHub Pages' CDN compresses.
//
// Usage: node bench/static_server.mjs SITE_DIR KEY.pem CERT.pem [--gzip]
// Prints one line, `https://127.0.0.1:PORT/`, then serves until killed.
//
// What is compressed (an assumption, documented in bench/bench_load.py): text (HTML, CSS, JavaScript,
// JSON, SVG, plain text) and WebAssembly, at zlib level 6; never archives (.zip, .whl: already
// deflated) or PNG. Like GitHub Pages, every response says `Cache-Control: max-age=600`.
import fs from "node:fs";
import http2 from "node:http2";
import path from "node:path";
import zlib from "node:zlib";

const [root, key, cert, ...flags] = process.argv.slice(2);
if (!cert) {
  console.error("usage: node bench/static_server.mjs SITE_DIR KEY.pem CERT.pem [--gzip]");
  process.exit(2);
}
const GZIP = flags.includes("--gzip");
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".zip": "application/zip",
  ".whl": "application/octet-stream",
};
const COMPRESSED = /^(text\/|application\/json|image\/svg\+xml|application\/wasm)/;
const SITE = path.resolve(root);
const cache = new Map(); // file -> [mtimeMs, gzipped bytes]

function gzipped(file, stat) {
  const hit = cache.get(file);
  if (hit && hit[0] === stat.mtimeMs) return hit[1];
  const data = zlib.gzipSync(fs.readFileSync(file), { level: 6 });
  cache.set(file, [stat.mtimeMs, data]);
  return data;
}

function respond(stream, headers) {
  let file = path.join(SITE, decodeURIComponent(new URL(headers[":path"], "https://x").pathname));
  if (!file.startsWith(SITE)) return stream.respond({ ":status": 403 }) || stream.end();
  let stat;
  try {
    stat = fs.statSync(file);
    if (stat.isDirectory()) {
      file = path.join(file, "index.html");
      stat = fs.statSync(file);
    }
  } catch {
    stream.respond({ ":status": 404, "content-type": "text/plain" });
    return stream.end("not found");
  }
  const type = TYPES[path.extname(file)] || "application/octet-stream";
  const out = {
    ":status": 200,
    "content-type": type,
    "cache-control": "max-age=600",
    "last-modified": stat.mtime.toUTCString(),
    vary: "Accept-Encoding",
  };
  let body;
  if (GZIP && COMPRESSED.test(type) && /\bgzip\b/.test(headers["accept-encoding"] || "")) {
    body = gzipped(file, stat);
    out["content-encoding"] = "gzip";
  } else {
    body = fs.readFileSync(file);
  }
  out["content-length"] = body.length;
  stream.respond(out);
  stream.end(headers[":method"] === "HEAD" ? undefined : body);
}

// compress every file once before serving (as a CDN's cache holds them), so no response waits for it
function warm(folder) {
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) warm(file);
    else if (GZIP && COMPRESSED.test(TYPES[path.extname(file)] || "")) gzipped(file, fs.statSync(file));
  }
}
warm(SITE);

// maxSessionMemory (MB): Node's default, 10, refuses new streams (Chromium: ERR_HTTP2_PROTOCOL_ERROR) while
// more than that is queued for a slow reader, e.g. the training worker downloading the 29 MB scientific stack
const server = http2.createSecureServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert), maxSessionMemory: 1024 });
server.on("stream", (stream, headers) => {
  stream.on("error", () => {}); // a browser closing a stream early is not our error
  try {
    respond(stream, headers);
  } catch (error) {
    if (!stream.headersSent) stream.respond({ ":status": 500 });
    stream.end(String(error));
  }
});
server.listen(0, "127.0.0.1", () => console.log(`https://127.0.0.1:${server.address().port}/`));
