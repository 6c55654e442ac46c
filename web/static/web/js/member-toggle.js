// A button that puts one member in, or takes them out of, a set the server keeps for the
// user (contacts, blocked people): shared by the directory, profiles and the account pages.

/**
 * ``label(button, name, on)`` words the button; ``turnOn()`` / ``turnOff()`` ask the server;
 * ``said(on)`` is what ``announce(text)`` (an aria-live region) reports once it is done.
 */
export function memberToggle({ member, ids, className, label, turnOn, turnOff, said, announce }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  label(button, member.name, ids.has(member.id));
  button.addEventListener("click", async () => {
    const on = !ids.has(member.id);
    button.disabled = true;
    try {
      await (on ? turnOn() : turnOff());
      if (on) ids.add(member.id);
      else ids.delete(member.id);
      label(button, member.name, on);
      announce(said(on));
    } catch (error) {
      announce(error.message);
    } finally {
      button.disabled = false;
      button.focus();
    }
  });
  return button;
}
