import type { ReactNode } from 'react';
import { Link } from 'react-router';

export function NotFoundScreen(): ReactNode {
  return (
    <section className="screen">
      <h1>Nothing here</h1>
      <p>
        This address does not match a screen. <Link to="/boards">Go to the boards</Link>.
      </p>
    </section>
  );
}
