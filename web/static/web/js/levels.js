// Earned levels: the badge next to an author, kept live by "member.level" frames.
import { _, fmt } from "./i18n.js";

export const LEVEL_LABELS = {
  1: _("nouveau membre"),
  2: _("membre actif"),
  3: _("contributeur"),
  4: _("super-contributeur"),
  5: _("animateur référent"),
};

const known = new Map(); // user id -> level, from live frames (newer than message events)

export function levelOf(user) {
  if (!user) return null;
  if (known.has(user.id)) return known.get(user.id);
  return typeof user.level === "number" ? user.level : null;
}

// A badge element for a user, or null when their level is unknown.
export function levelBadge(user) {
  const level = levelOf(user);
  if (!level || !LEVEL_LABELS[level]) return null;
  const badge = document.createElement("span");
  badge.className = `level-badge level-${level}`;
  badge.dataset.user = String(user.id);
  badge.dataset.level = String(level);
  badge.textContent = LEVEL_LABELS[level];
  badge.title = fmt(_("Niveau %(n)s : %(label)s"), { n: level, label: LEVEL_LABELS[level] });
  return badge;
}

function refresh(userId, level) {
  for (const badge of document.querySelectorAll(`.level-badge[data-user="${userId}"]`)) {
    badge.className = `level-badge level-${level}`;
    badge.dataset.level = String(level);
    badge.textContent = LEVEL_LABELS[level];
    badge.title = fmt(_("Niveau %(n)s : %(label)s"), { n: level, label: LEVEL_LABELS[level] });
  }
}

// Handles a "member.level" frame; returns false for any other frame.
export function levelFrame(frame, { me, announce } = {}) {
  if (!frame || frame.type !== "member.level" || !frame.user || !LEVEL_LABELS[frame.level]) return false;
  known.set(frame.user.id, frame.level);
  refresh(frame.user.id, frame.level);
  if (me && frame.user.id === me.id && announce) {
    announce(fmt(_("Vous passez au niveau « %(label)s »."), { label: LEVEL_LABELS[frame.level] }));
  }
  return true;
}
