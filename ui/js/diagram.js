// Draws a call's flow with bpmn-js (vendored, ui/vendor/bpmn-js) and marks the path it took with each step's time.
import { formatClock } from './dom.js';

let viewerLoaded;

/** Loads the vendored viewer (a classic script defining window.BpmnJS) once, with its styles. */
function loadViewer() {
  viewerLoaded ??= new Promise((resolve, reject) => {
    for (const file of ['diagram-js.css', 'bpmn-js.css']) {
      document.head.append(Object.assign(document.createElement('link'),
        { rel: 'stylesheet', href: `vendor/bpmn-js/${file}` }));
    }
    const script = Object.assign(document.createElement('script'),
      { src: 'vendor/bpmn-js/bpmn-navigated-viewer.production.min.js' });
    script.onload = () => resolve(window.BpmnJS);
    script.onerror = () => reject(new Error('the diagram viewer could not be loaded'));
    document.head.append(script);
  });
  return viewerLoaded;
}

/**
 * Renders the BPMN XML into container and highlights the steps: every visited element gets the marker
 * "cf-visited" (the last one "cf-last", an interrupted one "cf-canceled") and an overlay with its start time.
 * Returns the ids of the elements that were marked (steps outside the diagram, such as event sub-process
 * internals drawn elsewhere, are skipped).
 */
export async function drawPath(container, xml, steps) {
  const BpmnJS = await loadViewer();
  const viewer = new BpmnJS({ container });
  await viewer.importXML(xml);
  const canvas = viewer.get('canvas');
  const overlays = viewer.get('overlays');
  const registry = viewer.get('elementRegistry');
  // Fit a large flow into the box, but do not blow a small one up beyond its drawn size.
  if (canvas.zoom('fit-viewport', 'auto') > 1) canvas.zoom(1, 'auto');
  const marked = [];
  const times = new Map();
  steps.forEach((step, index) => {
    if (!registry.get(step.activityId)) return;
    canvas.addMarker(step.activityId, 'cf-visited');
    if (step.canceled) canvas.addMarker(step.activityId, 'cf-canceled');
    if (index === steps.length - 1) canvas.addMarker(step.activityId, 'cf-last');
    // A loop visits an element more than once: one overlay lists every visit's time.
    times.set(step.activityId, [...(times.get(step.activityId) || []), formatClock(step.startedAt)]);
    marked.push(step.activityId);
  });
  for (const [activityId, visits] of times) {
    const badge = document.createElement('span');
    badge.className = 'cf-step-time';
    badge.textContent = visits.join(', ');
    overlays.add(activityId, 'cf-step-time', { position: { top: -22, left: 0 }, html: badge });
  }
  return { viewer, marked };
}
