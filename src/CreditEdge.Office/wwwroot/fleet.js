// CreditEdge fleet page: plain JS, no framework, nothing from outside the office (CSP default-src 'self').
// Reads /api/fleet/… every few seconds and draws the tables and SVG charts itself.
"use strict";

(function () {
  const REFRESH_MS = 5000;
  const SVG = "http://www.w3.org/2000/svg";
  const OUTCOMES = ["approve", "refer", "decline"];
  let selectedDevice = null;
  let thresholds = { watch: 0.1, act: 0.25 };

  const $ = (id) => document.getElementById(id);

  function text(tag, value, className) {
    const el = document.createElement(tag);
    el.textContent = value === null || value === undefined ? "" : String(value);
    if (className) el.className = className;
    return el;
  }

  function svg(tag, attrs, content) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    if (content !== undefined) el.textContent = content;
    return el;
  }

  function ago(iso) {
    if (!iso) return "never";
    const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 90) return Math.round(seconds) + " s ago";
    if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
    if (seconds < 172800) return Math.round(seconds / 3600) + " h ago";
    return Math.round(seconds / 86400) + " d ago";
  }

  function psiClass(psi) {
    if (psi === null || psi === undefined) return "";
    return psi >= thresholds.act ? "psi-alert" : psi >= thresholds.watch ? "psi-warn" : "";
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!response.ok) {
      let detail = response.status + " " + response.statusText;
      try { const problem = await response.json(); detail = problem.detail || problem.title || detail; } catch (e) { /* not JSON */ }
      throw new Error(url + ": " + detail);
    }
    return response.json();
  }

  function renderDevices(data) {
    const body = $("devices").tBodies[0];
    body.replaceChildren();
    for (const d of data.devices) {
      const row = document.createElement("tr");
      row.dataset.device = d.deviceId;
      const id = document.createElement("th");
      id.scope = "row";
      id.textContent = d.deviceId;
      row.append(id);
      row.append(text("td", d.state, "state state-" + d.state));
      const seen = text("td", ago(d.lastSeen));
      if (d.lastSeen) seen.title = d.lastSeen;
      row.append(seen);
      row.append(text("td", d.agentVersion));
      row.append(text("td", d.modelId ? d.modelId + " " + d.modelVersion + (d.variant ? " (" + d.variant + ")" : "") : "none", "model-active"));
      row.append(text("td", d.desiredVersion ? (d.desiredModelId || d.modelId || "") + " " + d.desiredVersion : "—", "model-desired"));
      row.append(text("td", d.rolloutState ? d.rolloutState + (d.rolloutCheck ? " (" + d.rolloutCheck + ")" : "") : "—"));
      row.append(text("td", d.locked ? "locked: " + d.locked : "no", d.locked ? "locked" : ""));
      row.append(text("td", d.maxPsi === null || d.maxPsi === undefined ? "—" : d.maxPsi.toFixed(3), "num " + psiClass(d.maxPsi)));
      body.append(row);
    }
    $("devices-empty").hidden = data.devices.length > 0;
    $("summary").textContent = data.devices.length + " devices: " + data.online + " online, " + data.offline + " offline";

    const select = $("drift-device");
    const ids = data.devices.map((d) => d.deviceId);
    if (!selectedDevice || !ids.includes(selectedDevice)) {
      const drifting = data.devices.filter((d) => d.maxPsi !== null && d.maxPsi !== undefined);
      drifting.sort((a, b) => b.maxPsi - a.maxPsi);
      selectedDevice = drifting.length > 0 ? drifting[0].deviceId : ids[0] || null;
    }
    if (select.options.length !== ids.length || ids.some((id, i) => select.options[i].value !== id)) {
      select.replaceChildren(...ids.map((id) => { const o = document.createElement("option"); o.value = id; o.textContent = id; return o; }));
    }
    if (selectedDevice) select.value = selectedDevice;
  }

  function renderRollouts(data) {
    const body = $("rollouts").tBodies[0];
    body.replaceChildren();
    for (const r of data.rollouts) {
      const row = document.createElement("tr");
      row.dataset.version = r.version;
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = r.modelId + " " + r.version;
      row.append(name);
      for (const n of [r.devices, r.received, r.downloading, r.active, r.rejected, r.rolledBack]) row.append(text("td", n, "num"));
      const cell = document.createElement("td");
      const share = r.devices > 0 ? r.active / r.devices : 0;
      const bar = text("span", "", "progress");
      bar.setAttribute("role", "img");
      bar.setAttribute("aria-label", Math.round(share * 100) + "% of its devices run it");
      const fill = document.createElement("span");
      fill.style.width = Math.round(share * 100) + "%";
      bar.append(fill);
      cell.append(bar, text("span", " " + Math.round(share * 100) + "%"));
      row.append(cell);
      body.append(row);
    }
    $("rollouts-empty").hidden = data.rollouts.length > 0;
  }

  function renderVolume(data) {
    const legend = $("outcomes");
    legend.replaceChildren(...OUTCOMES.map((o) => {
      const li = text("li", o + ": " + (data.totals[o] || 0), o);
      li.dataset.outcome = o;
      li.dataset.count = data.totals[o] || 0;
      return li;
    }));
    const width = 900, height = 220, left = 48, bottom = 24, top = 8;
    const hours = data.hours;
    const max = Math.max(1, ...hours.map((h) => OUTCOMES.reduce((s, o) => s + (h[o] || 0), 0)));
    const total = OUTCOMES.reduce((s, o) => s + (data.totals[o] || 0), 0);
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img",
      "aria-label": `Decisions per hour, stacked by outcome: ${total} in the last ${hours.length} hours, at most ${max} in one hour` });
    chart.append(svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width, y2: height - bottom }));
    chart.append(svg("line", { class: "axis", x1: left, y1: top, x2: left, y2: height - bottom }));
    chart.append(svg("text", { x: left - 6, y: top + 10, "text-anchor": "end" }, String(max)));
    chart.append(svg("text", { x: left - 6, y: height - bottom, "text-anchor": "end" }, "0"));
    const slot = (width - left) / Math.max(1, hours.length);
    hours.forEach((h, i) => {
      let y = height - bottom;
      for (const o of OUTCOMES) {
        const n = h[o] || 0;
        if (n === 0) continue;
        const barHeight = (n / max) * (height - bottom - top);
        y -= barHeight;
        const rect = svg("rect", { class: "bar-" + o, x: left + i * slot + 1, y: y, width: Math.max(1, slot - 2), height: barHeight });
        rect.append(svg("title", {}, `${h.hour}: ${n} ${o}`));
        chart.append(rect);
      }
      if (i % 4 === 0) {
        chart.append(svg("text", { x: left + i * slot + slot / 2, y: height - 6, "text-anchor": "middle" }, h.hour.substring(11, 16)));
      }
    });
    $("volume").replaceChildren(chart);
  }

  function renderDrift(data) {
    thresholds = { watch: data.watch, act: data.act };
    const charts = data.features.map((f) => driftChart(data.deviceId, f));
    $("drift").replaceChildren(...charts);
    if (charts.length === 0) $("drift").append(text("p", "No drift reported by " + data.deviceId + " yet.", "empty"));
  }

  function driftChart(deviceId, series) {
    const width = 300, height = 120, left = 34, bottom = 18, top = 6, right = 6;
    const figure = document.createElement("figure");
    figure.dataset.feature = series.feature;
    const caption = text("figcaption", series.feature);
    figure.append(caption);
    const points = series.points;
    const last = points.length > 0 ? points[points.length - 1].psi : null;
    const maxPsi = Math.max(thresholds.act * 1.2, ...points.map((p) => p.psi));
    const times = points.map((p) => Date.parse(p.at));
    const t0 = Math.min(...times), t1 = Math.max(...times);
    const x = (t) => left + (t1 > t0 ? (t - t0) / (t1 - t0) : 0.5) * (width - left - right);
    const y = (psi) => top + (1 - psi / maxPsi) * (height - top - bottom);
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img",
      "aria-label": `PSI of ${series.feature} on ${deviceId}: ${points.length} reports, latest ${last === null ? "none" : last.toFixed(3)}` });
    chart.append(svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width - right, y2: height - bottom }));
    chart.append(svg("line", { class: "axis", x1: left, y1: top, x2: left, y2: height - bottom }));
    for (const [name, value] of [["warn", thresholds.watch], ["alert", thresholds.act]]) {
      chart.append(svg("line", { class: "threshold-" + name, x1: left, x2: width - right, y1: y(value), y2: y(value) }));
      chart.append(svg("text", { x: left - 4, y: y(value) + 4, "text-anchor": "end" }, String(value)));
    }
    if (points.length === 1) {
      chart.append(svg("circle", { class: "dot", cx: x(times[0]), cy: y(points[0].psi), r: 3 }));
    } else if (points.length > 1) {
      chart.append(svg("polyline", { class: "series", points: points.map((p, i) => `${x(times[i]).toFixed(1)},${y(p.psi).toFixed(1)}`).join(" ") }));
    }
    if (points.length > 0) {
      chart.append(svg("text", { x: left, y: height - 4 }, new Date(t0).toISOString().substring(11, 16)));
      chart.append(svg("text", { x: width - right, y: height - 4, "text-anchor": "end" }, new Date(t1).toISOString().substring(11, 16)));
    }
    figure.append(chart);
    const latest = text("p", last === null ? "no reports" : "latest " + last.toFixed(3), "hint " + psiClass(last));
    figure.append(latest);
    return figure;
  }

  async function refresh() {
    const notice = $("notice");
    try {
      const [devices, rollouts, volume] = await Promise.all([
        getJson("/api/fleet/devices"), getJson("/api/fleet/rollouts"), getJson("/api/fleet/decisions?hours=24")]);
      renderDevices(devices);
      renderRollouts(rollouts);
      renderVolume(volume);
      if (selectedDevice) renderDrift(await getJson("/api/fleet/drift?device=" + encodeURIComponent(selectedDevice) + "&hours=24"));
      $("updated").textContent = "updated " + new Date().toLocaleTimeString();
      notice.hidden = true;
      document.body.dataset.loaded = "true";
    } catch (e) {
      notice.textContent = "Could not refresh: " + e.message;
      notice.hidden = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("drift-device").addEventListener("change", (e) => { selectedDevice = e.target.value; refresh(); });
    refresh();
    setInterval(refresh, REFRESH_MS);
  });
})();
