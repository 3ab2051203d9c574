import { Counter, Gauge, type Registry } from 'prom-client';

/** Certification metrics, on the hub's registry (docs/certification.md, "Metrics"). */
export class CertificationMetrics {
  readonly runs: Counter<'outcome'>;
  readonly cases: Counter<'kind' | 'verdict'>;
  readonly running: Gauge;

  constructor(registry: Registry, running: () => number) {
    const registers = [registry];
    this.runs = new Counter({
      name: 'ecohub_certification_runs_total',
      help: 'Certification runs ended, by outcome (pass, fail, cancelled)',
      labelNames: ['outcome'],
      registers,
    });
    this.cases = new Counter({
      name: 'ecohub_certification_cases_total',
      help: 'Certification cases decided, by kind and verdict',
      labelNames: ['kind', 'verdict'],
      registers,
    });
    this.running = new Gauge({
      name: 'ecohub_certification_runs_running',
      help: 'Certification runs in progress on this hub process',
      registers,
      collect() {
        this.set(running());
      },
    });
  }
}
