// ui/settings.json, editable on disk like the rest of ui/: pause reasons, the transfer directory, wallboard thresholds
// (docs/ui.md, "Settings"). Disposition codes are the server's (GET /api/v1/dispositions), since the API checks them.
const DEFAULTS = {
  pauseReasons: ['Break', 'Lunch', 'Training'],
  supervisorPauseReason: 'Paused by supervisor',
  transferDirectory: [],
  thresholds: {
    waiting: { warning: 3, alert: 6 },
    longestWaitSeconds: { warning: 60, alert: 180 },
    serviceLevelPercent: { warning: 80, alert: 60 },
  },
};

let loaded;

export function settings() {
  loaded ??= fetch('settings.json', { cache: 'no-cache' })
    .then(response => (response.ok ? response.json() : {}))
    .then(values => ({ ...DEFAULTS, ...values, thresholds: { ...DEFAULTS.thresholds, ...(values.thresholds || {}) } }))
    .catch(() => DEFAULTS);
  return loaded;
}
