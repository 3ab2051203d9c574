import type { EventEmitter } from 'node:events';
import { Counter, type Registry } from 'prom-client';
import { certRunTopic } from '../registry/partner-access.js';
import type { CertificationEvents } from './execute.js';
import type { CaseResult } from './results.js';

export interface ProgressOutlet {
  /** Publishes as the hub (QoS 1); delivery is still checked per subscriber. */
  readonly publish: (topic: string, body: unknown) => void;
  /** Whether any session would receive `topic`: nothing is built for nobody. */
  readonly watched: (topic: string) => boolean;
  /** Prometheus registry: `ecohub_certification_progress_messages_total{topic}`. */
  readonly metrics?: Registry;
}

/** Counts of the evidence a case kept, by direction: the messages themselves are at `href`. */
function evidenceSummary(result: CaseResult, runId: string) {
  const byDirection: Record<string, number> = {};
  for (const m of result.evidence) byDirection[m.direction] = (byDirection[m.direction] ?? 0) + 1;
  return {
    messages: result.evidence.length,
    omitted: result.evidenceOmitted,
    byDirection,
    href: `/v1/certification/runs/${runId}/cases/${encodeURIComponent(result.id)}`,
  };
}

/**
 * Publishes every run's progress for its partner to watch over MQTT (docs/certification.md,
 * "Watching a run"): on `partner/{pid}/cert-runs/{runId}/state` the run starting and finishing
 * (verdict, report), on `.../cases` each case starting and being decided (verdict, reasons,
 * timings, an evidence summary). Only the partner's own sessions receive them (the broker policy).
 * Returns the function that stops publishing.
 */
export function publishRunProgress(
  events: EventEmitter<CertificationEvents>,
  outlet: ProgressOutlet,
): () => void {
  const counter =
    outlet.metrics &&
    new Counter({
      name: 'ecohub_certification_progress_messages_total',
      help: 'Certification progress messages published over MQTT, by topic (cases, state)',
      labelNames: ['topic'],
      registers: [outlet.metrics],
    });
  const send = (topic: string, body: unknown) => {
    if (!outlet.watched(topic)) return;
    outlet.publish(topic, body);
    counter?.inc({ topic: topic.slice(topic.lastIndexOf('/') + 1) });
  };
  const at = () => new Date().toISOString();
  const onRunStarted: (...a: CertificationEvents['runStarted']) => void = ({ run }) => {
    send(certRunTopic(run.partnerId, run.id, 'state'), {
      event: 'started',
      runId: run.id,
      modelId: run.modelId,
      version: run.version,
      deviceId: run.deviceId,
      total: run.total,
      startedAt: run.startedAt,
    });
  };
  const onCaseStarted: (...a: CertificationEvents['caseStarted']) => void = (e) => {
    send(certRunTopic(e.partnerId, e.runId, 'cases'), {
      event: 'started',
      runId: e.runId,
      caseId: e.case.id,
      kind: e.case.kind,
      title: e.case.title,
      position: e.position,
      total: e.total,
      at: at(),
    });
  };
  const onCase: (...a: CertificationEvents['case']) => void = (e) => {
    const r = e.result;
    send(certRunTopic(e.partnerId, e.runId, 'cases'), {
      event: 'finished',
      runId: e.runId,
      caseId: r.id,
      kind: r.kind,
      title: r.title,
      position: e.position,
      verdict: r.verdict,
      reasons: r.reasons,
      measured: r.measured,
      startedAtMs: r.startedAt,
      durationMs: r.durationMs,
      evidence: evidenceSummary(r, e.runId),
      ...(e.revised ? { revised: true } : {}),
      at: at(),
    });
  };
  const onFinished: (...a: CertificationEvents['finished']) => void = (run, report) => {
    const started = Date.parse(run.startedAt);
    const finished = run.finishedAt === null ? Number.NaN : Date.parse(run.finishedAt);
    send(certRunTopic(run.partnerId, run.id, 'state'), {
      event: 'finished',
      runId: run.id,
      state: run.state,
      verdict: run.verdict,
      total: run.total,
      passed: run.passed,
      failed: run.failed,
      firmwareRevision: run.firmwareRevision,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      durationMs: Number.isFinite(finished) ? finished - started : null,
      report: report ?? null,
    });
  };
  events.on('runStarted', onRunStarted);
  events.on('caseStarted', onCaseStarted);
  events.on('case', onCase);
  events.on('finished', onFinished);
  return () => {
    events.off('runStarted', onRunStarted);
    events.off('caseStarted', onCaseStarted);
    events.off('case', onCase);
    events.off('finished', onFinished);
  };
}
