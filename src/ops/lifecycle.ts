// Whether the process is shutting down. Set first on SIGTERM (src/ops/shutdown.ts)
// so /ready answers 503 and the load balancer stops sending requests while the
// ones in flight finish.
import { draining } from "./metrics.js";

export class Lifecycle {
  private drainingSince: number | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  startDraining(): void {
    if (this.drainingSince !== null) return;
    this.drainingSince = Date.now();
    draining.set(1);
  }
}
