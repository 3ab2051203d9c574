import type { ReportBody } from './report.js';

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The human-readable page of a signed report: the verdict, the binding (model, document hash,
 * device, firmware), every case with its reasons and measurements, and its evidence folded away.
 * The JSON at `report.json` is what is signed; this page is rendered from it.
 */
export function reportHtml(body: ReportBody, signature: { keyId: string; value: string }): string {
  const rows = body.cases
    .map((c) => {
      const evidence = c.evidence
        .map(
          (m) =>
            `<tr><td>${m.at}</td><td>${esc(m.direction)}</td><td>${esc(m.topic)}</td><td>${esc(m.verdict ?? '')}</td><td><code>${esc(m.payload)}</code></td></tr>`,
        )
        .join('');
      const omitted = c.evidenceOmitted > 0 ? `<p>${c.evidenceOmitted} more messages not kept.</p>` : '';
      return `<tr class="${c.verdict}">
  <td>${c.verdict === 'pass' ? 'PASS' : 'FAIL'}</td>
  <td><code>${esc(c.id)}</code><br>${esc(c.title)}</td>
  <td>${c.reasons.map((r) => esc(r)).join('<br>')}</td>
  <td><code>${esc(JSON.stringify(c.measured))}</code></td>
  <td>${c.durationMs} ms</td>
</tr>
<tr class="evidence"><td></td><td colspan="4"><details><summary>evidence (${c.evidence.length} messages)</summary>
<table><tr><th>ms</th><th>direction</th><th>topic</th><th>hub</th><th>payload</th></tr>${evidence}</table>${omitted}</details></td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Certification report ${esc(body.model.id)} v${body.model.version}: ${body.verdict.toUpperCase()}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}
tr.fail td:first-child{color:#b00020;font-weight:bold}tr.pass td:first-child{color:#1b5e20;font-weight:bold}
code{font-size:.85em;word-break:break-all}.verdict-pass{color:#1b5e20}.verdict-fail{color:#b00020}
</style></head><body>
<h1>Certification report: <span class="verdict-${body.verdict}">${body.verdict.toUpperCase()}</span></h1>
<dl>
<dt>Model</dt><dd><code>${esc(body.model.id)}</code> version ${body.model.version} (document SHA-256 <code>${esc(body.model.documentSha256)}</code>)</dd>
<dt>Device</dt><dd><code>${esc(body.device.id)}</code>, firmware ${esc(body.device.firmwareRevision ?? 'not reported')}</dd>
<dt>Cases</dt><dd>${body.summary.passed} passed, ${body.summary.failed} failed, of ${body.summary.total}</dd>
<dt>Run</dt><dd><code>${esc(body.runId)}</code>, ${esc(body.startedAt)} to ${esc(body.finishedAt)} (${body.durationMs} ms), hub ${esc(body.hubVersion)}</dd>
<dt>Budgets</dt><dd>reply ${body.budgets.replyMs} ms, reports ${body.budgets.reportMs} ms after connect, ${body.budgets.withheldConnacks} CONNACKs withheld per reconnect cycle</dd>
<dt>Signature</dt><dd>Ed25519 by key <code>${esc(signature.keyId)}</code> over the bytes of <code>report.json</code>: <code>${esc(signature.value)}</code></dd>
</dl>
<table><tr><th>verdict</th><th>case</th><th>why</th><th>measured</th><th>time</th></tr>
${rows}
</table></body></html>
`;
}
