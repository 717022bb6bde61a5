import { type ReactNode, useRef } from 'react';
import { NavLink, Outlet } from 'react-router';
import { StatusBar } from './StatusBar';

const SCREENS = [
  { to: '/boards', label: 'Boards' },
  { to: '/people', label: 'People in the room' },
  { to: '/audit', label: 'Audit' },
  { to: '/settings', label: 'Settings' },
] as const;

/** The frame around every screen: status bar on top, navigation, then the screen itself. */
export function Layout(): ReactNode {
  const main = useRef<HTMLElement>(null);
  return (
    <div className="app">
      {/* A button, not a #fragment link: the fragment is the router's. */}
      <button type="button" className="skip-link" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <StatusBar />
      <nav className="main-nav" aria-label="Screens">
        <ul>
          {SCREENS.map((screen) => (
            <li key={screen.to}>
              <NavLink to={screen.to}>{screen.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
