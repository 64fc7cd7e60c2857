const { load, render } = require('./helpers');
const { timelineView, STATUS_LABELS } = require('../../utils/format');

const id = load('components/status-timeline/status-timeline');

describe('status-timeline', () => {
  test.each(Object.keys(STATUS_LABELS))('renders the %s status with its label', (status) => {
    const items = timelineView([{ status, at: '2026-12-01T09:30:00+08:00', note: '说明' }]);
    const timeline = render(id, {}, { items });
    const text = timeline.dom.textContent;
    expect(text).toContain(STATUS_LABELS[status]);
    expect(text).toContain('说明');
    expect(text).not.toContain('暂无进度');
  });

  test('newest first, the first step marked current; no steps says so', () => {
    const items = timelineView([
      { status: 'submitted', at: '2026-12-01T09:00:00+08:00' },
      { status: 'accepted', at: '2026-12-02T09:00:00+08:00' },
    ]);
    const timeline = render(id, {}, { items });
    const steps = timeline.querySelectorAll('.step');
    expect(steps.length).toBe(2);
    expect(steps[0].dom.className).toContain('current');
    expect(render(id, {}, { items: [] }).dom.textContent).toContain('暂无进度');
  });
});
