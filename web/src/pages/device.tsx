import { useEffect, useState } from 'preact/hooks';
import { useApp, useRemote } from '../app.js';
import { ActivityList } from '../device/activity.js';
import { DeviceCard, Presence } from '../device/card.js';
import { FirmwarePanel } from '../device/firmware-panel.js';
import { deviceTitle, shortId, whereText } from '../device/names.js';
import { DeviceSettings } from '../device/settings.js';
import { EventTimeline } from '../device/timeline.js';
import { useModel } from '../device/use-model.js';
import { useObservable } from '../ui/hooks.js';

type ChartComponent = typeof import('../device/history-chart.js').HistoryChart;

/** The chart and uPlot load on the first device page, not with the app. */
function useChart(): ChartComponent | undefined {
  const [chart, setChart] = useState<ChartComponent | undefined>(undefined);
  useEffect(() => {
    void import('../device/history-chart.js').then((m) => setChart(() => m.HistoryChart));
  }, []);
  return chart;
}

export function DevicePage({ params }: { params: Record<string, string> }) {
  const { api } = useApp();
  const remote = useRemote();
  useObservable(remote);
  const deviceId = params['deviceId'] ?? '';
  const state = remote.state(deviceId);
  const live = state ? remote.live(deviceId) : undefined;
  useObservable(live);
  const { spec, error } = useModel(remote, state);
  const title = state ? deviceTitle(spec, state) : 'Device';
  const Chart = useChart();

  // Events of the last 24 hours once; new ones arrive live on dev/{did}/notify.
  useEffect(() => {
    if (live === undefined) return;
    api.events(deviceId).then(
      (events) => live.addEvents(events),
      () => undefined,
    );
  }, [api, deviceId, live]);

  useEffect(() => {
    if (state) document.title = `${title} · ecohub`;
  }, [state, title]);

  if (remote.states === undefined) return <p class="page muted">Loading…</p>;
  if (state === undefined || live === undefined) {
    return (
      <section class="page">
        <h1>Device not found</h1>
        <p>
          This device is not one of yours, or it was removed. <a href="/">Back to your devices</a>
        </p>
      </section>
    );
  }
  return (
    <section class="page device-page">
      <p class="crumbs">
        <a href="/">Devices</a>
      </p>
      <header class="device-head">
        <h1>{title}</h1>
        <p class="sub">
          {whereText(state)} · {shortId(state.id)} · {state.role === 'owner' ? 'yours' : 'shared with you'}
        </p>
        <Presence live={live} />
      </header>
      {error && (
        <p class="error-note" role="alert">
          The controls cannot be shown: {error}
        </p>
      )}
      {spec && (
        <div class="device-layout">
          <div class="main-col">
            <DeviceCard remote={remote} spec={spec} live={live} />
            <ActivityList entries={live.activity} />
          </div>
          <div class="side-col">
            {Chart && <Chart api={api} spec={spec} live={live} />}
            <EventTimeline spec={spec} events={live.events} />
            {state.role === 'owner' && <FirmwarePanel deviceId={deviceId} live={live} />}
            <DeviceSettings state={state} />
          </div>
        </div>
      )}
    </section>
  );
}
