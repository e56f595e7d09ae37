// The media service in Cloudflare Containers (paid plan), reached by Lumen exactly as a VPS
// behind a Tunnel is: Lumen's LUMEN_SERVICE_URL is this Worker's URL. This Worker holds no
// logic: it starts a container, waits until it answers, and passes the request through
// untouched (the body stays a stream). The service checks each request's signature itself.
// Plain JavaScript, no dependencies: `ctx.container` is the runtime's own API.
import { DurableObject } from "cloudflare:workers";

const PORT = 8790;
/** Containers to spread jobs over (each runs as many jobs at once as it has cores). */
const INSTANCES = 3;
const READY_MS = 30_000;

export class MediaContainer extends DurableObject {
  async fetch(request) {
    const container = this.ctx.container;
    if (!container) return new Response("no container configured", { status: 503, headers: { "retry-after": "5" } });
    if (!container.running) {
      container.start({
        env: {
          LUMEN_SERVICE_SECRET: this.env.LUMEN_SERVICE_SECRET,
          LUMEN_SERVICE_ADDR: `0.0.0.0:${PORT}`,
          LUMEN_SERVICE_JOBS: "1",
        },
        enableInternet: false,
      });
    }
    const port = container.getTcpPort(PORT);
    // Wait for /healthz before passing the job on: the job's body is a stream and can be
    // sent only once.
    const deadline = Date.now() + READY_MS;
    for (;;) {
      try {
        const res = await port.fetch("http://container/healthz");
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        return new Response("the media container did not start", { status: 503, headers: { "retry-after": "10" } });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const url = new URL(request.url);
    return port.fetch(new Request(`http://container${url.pathname}${url.search}`, request));
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (!(request.method === "POST" && pathname === "/v1/render") && pathname !== "/healthz") {
      return new Response("not found", { status: 404 });
    }
    // Stateless service: any instance will do.
    const name = `media-${Math.floor(Math.random() * INSTANCES)}`;
    return env.MEDIA.get(env.MEDIA.idFromName(name)).fetch(request);
  },
};
