/** A labelled choice of role, offering only those at or below the user's own. */
import { ROLE_SUMMARIES, grantableRoles } from './roles.ts';
import type { MemberRole } from '../../api/credential-schemas.ts';

type Props = {
  id: string;
  userRole: string;
  value: string;
  onChange: (role: string) => void;
  /** A role outside the user's choices that the member already holds (an owner seen by an admin). */
  current?: string;
};

export function RoleSelect({ id, userRole, value, onChange, current }: Props) {
  const roles: string[] = grantableRoles(userRole);
  const options = current !== undefined && !roles.includes(current) ? [current, ...roles] : roles;
  return (
    <>
      <label htmlFor={id}>Role</label>
      <select id={id} name="role" value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={`${id}-hint`}>
        {options.map((role) => (
          <option key={role} value={role}>
            {role}
          </option>
        ))}
      </select>
      <p id={`${id}-hint`} className="hint">
        {value in ROLE_SUMMARIES ? `A ${value}: ${ROLE_SUMMARIES[value as MemberRole]}. ` : ''}No higher than your own role ({userRole}).
      </p>
    </>
  );
}
