// The wallboard's chart of the day: calls and answered calls per hour (bars, from today's call records and then the
// live call.arrived / call.answered events) and the service level across all queues (a line, sampled from the
// queue.stats events while the page is open). Drawn with Chart.js (vendored, ui/vendor/chart.js).
import { el, show } from './dom.js';

let libraryLoaded;

/** Loads the vendored UMD build (a classic script defining window.Chart) once. */
function loadLibrary() {
  libraryLoaded ??= new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement('script'), { src: 'vendor/chart.js/chart.umd.min.js' });
    script.onload = () => resolve(window.Chart);
    script.onerror = () => reject(new Error('the chart library could not be loaded'));
    document.head.append(script);
  });
  return libraryLoaded;
}

const HOURS = Array.from({ length: 24 }, (_, hour) => `${String(hour).padStart(2, '0')}:00`);

/** Service level over every queue: answered in time over answered plus abandoned, weighted by each queue's calls. */
function overallServiceLevel(statsList) {
  let weight = 0;
  let sum = 0;
  for (const stats of statsList) {
    if (!stats || stats.error) continue;
    const calls = (stats.answered || 0) + (stats.abandoned || 0);
    weight += calls;
    sum += calls * (stats.serviceLevelPercent || 0);
  }
  return weight ? sum / weight : null;
}

/** Draws the chart into container; resolves to its controller, or null (with a message) if Chart.js cannot load. */
export async function dayChart(container) {
  const summary = el('p', { id: 'chart-summary', class: 'hint' });
  const canvas = el('canvas', { id: 'day-chart', role: 'img',
    'aria-label': 'Calls and answered calls per hour today, and the service level' });
  show(container, el('h2', { id: 'chart-title' }, 'Today'), el('div', { class: 'chart-box' }, canvas), summary);
  let Chart;
  try {
    Chart = await loadLibrary();
  } catch (error) {
    show(summary, error.message);
    return null;
  }
  // Chart.js sizes text in pixels: follow the page's base font, which grows on a wall display (app.css).
  Chart.defaults.font.size = Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 0.85);
  Chart.defaults.color = '#1d2733';
  const calls = new Array(24).fill(0);
  const answered = new Array(24).fill(0);
  const serviceLevel = new Array(24).fill(null);
  const chart = new Chart(canvas, {
    data: {
      labels: HOURS,
      datasets: [
        { type: 'bar', label: 'Calls', data: calls, backgroundColor: '#9db8d9', yAxisID: 'calls', order: 2 },
        { type: 'bar', label: 'Answered', data: answered, backgroundColor: '#17803d', yAxisID: 'calls', order: 1 },
        { type: 'line', label: 'Service level %', data: serviceLevel, borderColor: '#a86b00',
          backgroundColor: '#a86b00', yAxisID: 'percent', spanGaps: true, order: 0 },
      ],
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: {
        calls: { position: 'left', beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'calls' } },
        percent: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false },
          title: { display: true, text: 'service level %' } },
      },
    },
  });
  const hourOf = instant => new Date(instant).getHours();
  const describe = () => {
    const level = serviceLevel[new Date().getHours()];
    summary.textContent = `Calls today: ${calls.reduce((a, b) => a + b, 0)}, answered: `
      + `${answered.reduce((a, b) => a + b, 0)}; service level now: `
      + `${level === null ? '—' : `${Math.round(level)} %`} (sampled while this page is open).`;
  };
  const update = () => { chart.update('none'); describe(); };

  return {
    reset(records, statsList) {
      calls.fill(0);
      answered.fill(0);
      for (const record of records) {
        calls[hourOf(record.startedAt)] += 1;
        if (record.answeredAt) answered[hourOf(record.answeredAt)] += 1;
      }
      this.serviceLevel(statsList);
    },
    callArrived(at) { calls[hourOf(at)] += 1; update(); },
    callAnswered(at) { answered[hourOf(at)] += 1; update(); },
    serviceLevel(statsList) {
      const level = overallServiceLevel(statsList);
      if (level !== null) serviceLevel[new Date().getHours()] = level;
      update();
    },
    destroy() { chart.destroy(); },
  };
}
