// ui/settings.json, editable on disk like the rest of ui/: the pause reasons agents choose from.
const DEFAULTS = { pauseReasons: ['Break', 'Lunch', 'Training'] };

let loaded;

export function settings() {
  loaded ??= fetch('settings.json', { cache: 'no-cache' })
    .then(response => (response.ok ? response.json() : {}))
    .then(values => ({ ...DEFAULTS, ...values }))
    .catch(() => DEFAULTS);
  return loaded;
}
