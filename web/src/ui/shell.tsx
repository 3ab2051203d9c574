import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../app.js';
import type { LiveConnection } from '../live/connection.js';
import { useObservable } from './hooks.js';
import { Icon } from './icons.js';
import { consoleOf, isActive, type NavItem, OPERATOR_NAV, PARTNER_NAV, USER_NAV } from './nav.js';
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

/** Who is signed in to the console of this page, with a way out. */
function ConsoleBadge() {
  const { console: session, signOutConsole } = useApp();
  if (session === undefined) return null;
  return (
    <p class="console-badge">
      <span>{session.kind === 'partner' ? `${session.partner.company} · partner` : 'Operator'}</span>
      <button
        type="button"
        class="secondary small"
        onClick={() => signOutConsole('You are signed out of the console.')}
      >
        Sign out
      </button>
    </p>
  );
}

export function Shell({ children }: { children: ComponentChildren }) {
  const { session, remote, console: consoleSession } = useApp();
  const path = usePath();
  const area = consoleOf(path);
  let nav: readonly NavItem[] | undefined;
  if (area === undefined) nav = session ? USER_NAV : undefined;
  else if (consoleSession?.kind === area) nav = area === 'partner' ? PARTNER_NAV : OPERATOR_NAV;
  const home = area === undefined ? (session ? '/' : '/login') : `/${area}`;
  return (
    // Clicks on in-app links become client-side navigation (router.ts).
    // biome-ignore lint/a11y/noStaticElementInteractions: delegation only; every target is a real link
    // biome-ignore lint/a11y/useKeyWithClickEvents: links get Enter natively, which fires this click
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={home}>
          <img src="/icons/icon.svg" alt="" width="28" height="28" />
          ecohub{area === undefined ? '' : area === 'partner' ? ' partners' : ' operator'}
        </a>
        {area === undefined ? remote && <LinkStatus link={remote.link} /> : <ConsoleBadge />}
      </header>
      {nav && (
        <nav class="mainnav" aria-label="Main">
          <ul>
            {nav.map((item) => (
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
      <main id="main" tabIndex={-1} class={nav ? 'with-nav' : ''}>
        {children}
      </main>
    </div>
  );
}
