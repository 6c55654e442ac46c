// Posting (/emplois/nouvelle/) or editing (/emplois/<id>/modifier/) a job offer.
import { get, patch, post } from "./api.js";
import { clearFieldErrors, showFieldError, submitting } from "./forms.js";

const $ = (id) => document.getElementById(id);
const TEXT = ["title", "commune", "category", "field", "closes_on", "link", "description"];
// The field an error's reason is about, so it is marked invalid and tied to the message.
const FIELD_OF = {
  empty_title: "title",
  unknown_territory: "commune",
  unknown_category: "category",
  unknown_field: "field",
  bad_closing_date: "closes_on",
  closing_date_past: "closes_on",
  closing_date_too_far: "closes_on",
  bad_link: "link",
  unknown_organisation: "organisation",
};

function fill(form, job) {
  form.elements.title.value = job.title;
  form.elements.commune.value = job.location.commune.code;
  form.elements.category.value = job.category;
  form.elements.field.value = job.field;
  form.elements.closes_on.value = job.closes_on;
  form.elements.link.value = job.link;
  form.elements.description.value = job.description;
  if (form.elements.organisation) form.elements.organisation.value = String(job.organisation.id);
}

function body(form, editing) {
  const values = {};
  for (const name of TEXT) values[name] = form.elements[name].value.trim();
  const organisation = form.elements.organisation && form.elements.organisation.value.trim();
  if (organisation) values.organisation = Number(organisation);
  if (!editing && form.elements.announce) values.announce = form.elements.announce.checked;
  return values;
}

async function main() {
  const form = $("job-form");
  const errorBox = $("job-error");
  const id = Number(form.dataset.job) || null;
  if (id) {
    try {
      fill(form, await get(`/jobs/${id}`));
    } catch (error) {
      showFieldError(form, errorBox, error);
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    submitting(
      form,
      async () => {
        const values = body(form, Boolean(id));
        const saved = id ? await patch(`/jobs/${id}`, values) : await post("/jobs", values);
        clearFieldErrors(form);
        location.assign(`/emplois/${saved.id}/`);
      },
      (error) => showFieldError(form, errorBox, error, FIELD_OF[error.reason]),
    );
  });
}

main();
