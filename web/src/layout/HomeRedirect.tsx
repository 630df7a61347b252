/** `/`: the first organization's overview, or a word on what to do when the user belongs to none. */
import { Navigate } from 'react-router';
import { useMe } from '../api/queries.ts';

export function HomeRedirect() {
  const me = useMe();
  const first = me.data?.memberships[0];
  if (first !== undefined) return <Navigate to={`/orgs/${first.orgId}`} replace />;
  return (
    <section>
      <h1>No organization yet</h1>
      <p>You are not a member of any organization yet. Ask an owner of one to invite you, or your operator to add you.</p>
    </section>
  );
}
