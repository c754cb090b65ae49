import { useState } from 'react';
import type { Profile } from '../../stores/profile-store';

export interface ProfilePickerProps {
  profiles: Profile[];
  selectedId: string;
  onSelect(id: string): void;
  onDuplicate(id: string): void;
  onRename(id: string, name: string): void;
  onDelete(id: string): void;
}

/** "64 seqs · 16k batch · 32k context": the three numbers the launcher's profiles differ in. */
export function profileSummary(p: Profile): string {
  const n = (v: unknown, unit: string) => (typeof v === 'number' ? `${v >= 1024 && v % 1024 === 0 ? `${v / 1024}k` : v} ${unit}` : null);
  return [n(p.flags['max-num-seqs'], 'seqs'), n(p.flags['max-num-batched-tokens'], 'batch'), n(p.flags['max-model-len'], 'context')]
    .filter(Boolean)
    .join(' · ');
}

/** One card per profile: built-ins first (read-only), then the user's own with rename/duplicate/delete. */
export function ProfilePicker(p: ProfilePickerProps) {
  return (
    <ul className="profile-cards" aria-label="Profiles">
      {p.profiles.map((prof) => (
        <ProfileCard key={prof.id} profile={prof} selected={prof.id === p.selectedId} {...p} />
      ))}
    </ul>
  );
}

function ProfileCard({
  profile: prof,
  selected,
  onSelect,
  onDuplicate,
  onRename,
  onDelete,
}: ProfilePickerProps & { profile: Profile; selected: boolean }) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const id = prof.id;
  return (
    <li className={`profile-card${selected ? ' profile-card--selected' : ''}`} data-testid={`profile-card-${id}`} data-selected={selected}>
      <button
        type="button"
        className="profile-card__main"
        onClick={() => onSelect(id)}
        aria-pressed={selected}
        data-testid={`profile-select-${id}`}
      >
        <span className="profile-card__name">
          {prof.name}
          {prof.builtin && <span className="profile-card__badge">built-in</span>}
        </span>
        <span className="profile-card__summary">{profileSummary(prof) || prof.model}</span>
        {prof.description && <span className="profile-card__desc">{prof.description}</span>}
      </button>
      {renaming !== null ? (
        <form
          className="profile-card__rename"
          onSubmit={(e) => {
            e.preventDefault();
            if (renaming.trim()) onRename(id, renaming.trim());
            setRenaming(null);
          }}
        >
          <input
            aria-label="New name"
            value={renaming}
            onChange={(e) => setRenaming(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setRenaming(null)}
            data-testid={`profile-rename-input-${id}`}
            // biome-ignore lint/a11y/noAutofocus: the input appears because the user asked to rename
            autoFocus
          />
          <button type="submit" className="btn btn--xs">
            Save
          </button>
        </form>
      ) : (
        <div className="profile-card__actions">
          <button type="button" className="btn btn--ghost btn--xs" onClick={() => onDuplicate(id)} data-testid={`profile-duplicate-${id}`}>
            Duplicate
          </button>
          {!prof.builtin && (
            <>
              <button
                type="button"
                className="btn btn--ghost btn--xs"
                onClick={() => setRenaming(prof.name)}
                data-testid={`profile-rename-${id}`}
              >
                Rename
              </button>
              <button
                type="button"
                className={`btn btn--xs ${confirmDelete ? 'btn--danger' : 'btn--ghost'}`}
                onClick={() => {
                  if (confirmDelete) onDelete(id);
                  setConfirmDelete(!confirmDelete);
                }}
                onBlur={() => setConfirmDelete(false)}
                data-testid={`profile-delete-${id}`}
              >
                {confirmDelete ? 'Really delete?' : 'Delete'}
              </button>
            </>
          )}
        </div>
      )}
    </li>
  );
}
