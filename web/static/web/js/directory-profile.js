// "Dans l'annuaire" on the profile page: skills, working commune, CV and what others may see.
import { get, patch } from "./api.js";
import { clearFieldErrors, showFieldError, submitting } from "./forms.js";
import { _, fmt } from "./i18n.js";
import { LEVEL_LABELS } from "./levels.js";

const $ = (id) => document.getElementById(id);

function cvLink(profile) {
  const line = $("directory-cv-link");
  line.hidden = !profile.cv_public;
  if (profile.cv_public) {
    const link = document.createElement("a");
    link.href = `/cv/${profile.id}/`;
    link.textContent = _("Voir la page publique de mon CV");
    line.replaceChildren(link);
  }
}

function fill(form, profile) {
  form.elements.skills.value = profile.skills.join("\n");
  form.elements.cv.value = profile.cv || "";
  form.elements.cv_public.checked = profile.cv_public;
  form.elements.show_email.checked = profile.show_email;
  const commune = profile.territory && profile.territory.commune;
  form.elements.territory.value = commune ? commune.code : "";
  $("my-level").textContent = fmt(_("Votre niveau : %(label)s (%(n)s points)."), {
    label: LEVEL_LABELS[profile.level.level],
    n: profile.level.points ?? 0,
  });
  cvLink(profile);
}

async function main() {
  const form = $("directory-form");
  if (!form) return;
  const me = await get("/me");
  const profile = await get(`/members/${me.id}`);
  fill(form, profile);
  form.dataset.territory = form.elements.territory.value;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errorBox = $("directory-error");
    errorBox.hidden = true;
    $("directory-done").textContent = "";
    const body = {
      skills: form.elements.skills.value.split("\n").map((s) => s.trim()).filter(Boolean),
      cv: form.elements.cv.value,
      cv_public: form.elements.cv_public.checked,
      show_email: form.elements.show_email.checked,
    };
    const territory = form.elements.territory.value.trim();
    if (territory !== form.dataset.territory) body.territory = territory;
    submitting(
      form,
      async () => {
        const saved = await patch("/account/directory-profile", body);
        clearFieldErrors(form);
        fill(form, saved);
        form.dataset.territory = form.elements.territory.value;
        $("directory-done").textContent = _("Profil d'annuaire enregistré.");
      },
      (error) => showFieldError(form, errorBox, error, error.payload && error.payload.field),
    );
  });
}

main();
