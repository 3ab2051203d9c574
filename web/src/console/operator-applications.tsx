import { useState } from 'preact/hooks';
import { useApp } from '../app.js';
import { ErrorNote, Field, fieldError } from '../ui/forms.js';
import { useAction, useLoad } from '../ui/hooks.js';
import { clock } from '../ui/time.js';
import { ConsoleOnly } from './guard.js';
import type { Application } from './types.js';

/** One pending application: approve with a commission rate, or reject with the reason the applicant is told. */
function Review({ application, done }: { application: Application; done: (text: string) => void }) {
  const { consoleApi } = useApp();
  const [rate, setRate] = useState('');
  const [reason, setReason] = useState('');
  const approve = useAction(async () => {
    const percent = rate.trim() === '' ? undefined : Number(rate.replace(',', '.'));
    if (percent !== undefined && !(percent >= 0 && percent <= 100))
      throw new Error('The rate is a percentage from 0 to 100');
    const result = await consoleApi.approve(
      application.id,
      percent === undefined ? {} : { rateBp: Math.round(percent * 100) },
    );
    done(`${result.partner.company} is a partner. Give them their API key, shown only now: ${result.apiKey}`);
  });
  const reject = useAction(async () => {
    await consoleApi.reject(application.id, reason.trim());
    done(`${application.company} was rejected.`);
  });
  return (
    <li class="card stack" data-application={application.slug}>
      <h3>
        {application.company} <span class="muted">({application.slug})</span>
      </h3>
      <p class="muted">
        {application.contactEmail} · <a href={application.website}>{application.website}</a> · applied{' '}
        {clock(application.createdAt)}
      </p>
      <p>Categories: {application.categories.join(', ')}</p>
      <div class="inline-form">
        <Field
          label="Commission (%), empty for the default"
          value={rate}
          onValue={setRate}
          error={fieldError(approve.error, '/rateBp')}
        />
        <button type="button" class="primary" disabled={approve.busy} onClick={() => void approve.run()}>
          Approve
        </button>
      </div>
      <div class="inline-form">
        <Field
          label="Reason for rejecting"
          maxLength={1000}
          value={reason}
          onValue={setReason}
          error={fieldError(reject.error, '/reason')}
        />
        <button
          type="button"
          class="danger"
          disabled={reject.busy || reason.trim() === ''}
          onClick={() => void reject.run()}
        >
          Reject
        </button>
      </div>
      <ErrorNote error={approve.error ?? reject.error} />
    </li>
  );
}

function Applications() {
  const { consoleApi } = useApp();
  const [status, setStatus] = useState<'pending' | 'approved' | 'rejected'>('pending');
  const list = useLoad(() => consoleApi.applications(status), [consoleApi, status]);
  const [result, setResult] = useState<string | undefined>(undefined);
  return (
    <section class="page">
      <h1>Partner applications</h1>
      {result && (
        <p class="notice" role="status">
          {result}
        </p>
      )}
      <div class="field inline">
        <label for="app-status">Show</label>
        <select
          id="app-status"
          value={status}
          onChange={(e) => setStatus(e.currentTarget.value as typeof status)}
        >
          <option value="pending">Pending</option>
          <option value="approved">Approved</option>
          <option value="rejected">Rejected</option>
        </select>
      </div>
      <ErrorNote error={list.error} />
      {list.data?.length === 0 && <p class="muted">No {status} applications.</p>}
      <ul class="plain-stack">
        {(list.data ?? []).map((a) =>
          a.status === 'pending' ? (
            <Review
              key={a.id}
              application={a}
              done={(text) => {
                setResult(text);
                list.reload();
              }}
            />
          ) : (
            <li key={a.id} class="card" data-application={a.slug}>
              <strong>{a.company}</strong> <span class="muted">({a.slug})</span> · {a.status}
              {a.reason && <p class="muted">Reason: {a.reason}</p>}
              {a.partnerId && (
                <p>
                  <a href={`/operator/partners/${a.partnerId}`}>Partner and contracts</a>
                </p>
              )}
            </li>
          ),
        )}
      </ul>
    </section>
  );
}

export function OperatorApplicationsPage() {
  return (
    <ConsoleOnly kind="operator">
      <Applications />
    </ConsoleOnly>
  );
}
