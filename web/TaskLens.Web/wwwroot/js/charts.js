// Time-series charts drawn by uPlot (canvas), which stays fast at tens of thousands of points; the server sends the
// data once per change. Markers (findings, incidents) are vertical lines drawn in uPlot's draw hook.
const charts = new WeakMap();

const markerColors = { critical: '#d32f2f', warning: '#ef6c00', info: '#1976d2' };

export function render(element, spec) {
    dispose(element);
    if (typeof uPlot === 'undefined') {
        element.textContent = 'Charts need uPlot (installed by ./build.sh).';
        return;
    }
    const axis = { stroke: '#8a8f98', grid: { stroke: 'rgba(128,128,128,0.18)' }, ticks: { stroke: 'rgba(128,128,128,0.3)' } };
    const series = [{}, { label: 'value', stroke: spec.color || '#1f77b4', width: 1.5, spanGaps: false, points: { show: spec.times.length < 120 } }];
    const data = [spec.times, spec.values];
    const bands = [];
    if (spec.lower && spec.upper) {
        series.push({ label: 'lower limit', stroke: 'rgba(46,125,50,0.35)', width: 1, points: { show: false } });
        series.push({ label: 'upper limit', stroke: 'rgba(46,125,50,0.35)', width: 1, points: { show: false } });
        data.push(spec.lower, spec.upper);
        bands.push({ series: [3, 2], fill: 'rgba(46,125,50,0.12)' });
    }
    const markers = spec.markers || [];
    const options = {
        width: Math.max(element.clientWidth, 200),
        height: spec.height || 200,
        series,
        bands,
        scales: { x: { time: true } },
        axes: [axis, { ...axis, size: 60 }],
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
        hooks: {
            draw: [u => {
                const ctx = u.ctx;
                ctx.save();
                for (const m of markers) {
                    const x = Math.round(u.valToPos(m.t, 'x', true));
                    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
                    ctx.strokeStyle = markerColors[m.severity] || '#1976d2';
                    ctx.lineWidth = m.kind === 'incident' ? 2 : 1;
                    ctx.setLineDash(m.kind === 'incident' ? [] : [4, 3]);
                    ctx.beginPath();
                    ctx.moveTo(x, u.bbox.top);
                    ctx.lineTo(x, u.bbox.top + u.bbox.height);
                    ctx.stroke();
                }
                ctx.restore();
            }],
        },
    };
    const plot = new uPlot(options, data, element);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 200), height: options.height }));
    observer.observe(element);
    charts.set(element, { plot, observer });
    element.dataset.drawn = String(spec.values.filter(v => v !== null).length);
    element.dataset.band = String(spec.lower ? spec.lower.filter(v => v !== null).length : 0);
    element.dataset.markers = String(markers.length);
}

export function dispose(element) {
    const chart = element && charts.get(element);
    if (chart) {
        chart.observer.disconnect();
        chart.plot.destroy();
        charts.delete(element);
    }
}
