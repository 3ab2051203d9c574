import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../app.js';
import type { LiveConnection } from '../live/connection.js';
import { useObservable } from './hooks.js';
import { Icon } from './icons.js';
import { isActive, USER_NAV } from './nav.js';
import { onLinkClick, usePath } from './router.js';

/** The live link's state in a few words, updated every second while a retry is counting down. */
function LinkStatus({ link }: { link: LiveConnection }) {
  useObservable(link);
  const [, setNow] = useState(0);
  const state = link.state;
  useEffect(() => {
    if (state.status !== 'waiting') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [state]);
  let text: string;
  let tone: string;
  switch (state.status) {
    case 'online':
      text = 'Live';
      tone = 'ok';
      break;
    case 'connecting':
      text = state.attempt === 0 ? 'Connecting…' : 'Reconnecting…';
      tone = 'busy';
      break;
    case 'waiting': {
      const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
      text = `Disconnected, retrying in ${seconds} s`;
      tone = 'bad';
      break;
    }
    case 'refused':
      text = 'Live updates refused';
      tone = 'bad';
      break;
    case 'stopped':
      text = 'Not connected';
      tone = 'bad';
      break;
  }
  return (
    <p class={`link-status ${tone}`} role="status" data-link={state.status}>
      <span class="dot" aria-hidden="true" />
      {text}
    </p>
  );
}

export function Shell({ children }: { children: ComponentChildren }) {
  const { session, remote } = useApp();
  const path = usePath();
  return (
    // Clicks on in-app links become client-side navigation (router.ts).
    // biome-ignore lint/a11y/noStaticElementInteractions: delegation only; every target is a real link
    // biome-ignore lint/a11y/useKeyWithClickEvents: links get Enter natively, which fires this click
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={session ? '/' : '/login'}>
          <img src="/icons/icon.svg" alt="" width="28" height="28" />
          ecohub
        </a>
        {remote && <LinkStatus link={remote.link} />}
      </header>
      {session && (
        <nav class="mainnav" aria-label="Main">
          <ul>
            {USER_NAV.map((item) => (
              <li key={item.path}>
                <a href={item.path} aria-current={isActive(item, path) ? 'page' : undefined}>
                  <Icon name={item.icon} />
                  <span>{item.label}</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1} class={session ? 'with-nav' : ''}>
        {children}
      </main>
    </div>
  );
}
