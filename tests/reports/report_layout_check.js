// Injected into a copy of report.html by report_browser_test.sh (the report
// itself has no script), which shows that copy in an iframe as wide as the
// screen under test (headless Chromium's window is never narrower than 500
// px; an iframe is). Posts to the page around it one line per problem a
// reader would trip on, or LAYOUT-OK:
//   - the page scrolls sideways (something wider than the window);
//   - an element sticks out of its container (wide tables scroll inside
//     their own .table-scroll box, which is allowed);
//   - a chart's text (a title, a label) is cut off by the chart's edge;
//   - a table column with a header and no text in any row.
window.addEventListener('load', function () {
  const problems = [];
  const slack = 1;
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + slack) {
    problems.push('page scrolls sideways: ' + document.documentElement.scrollWidth + 'px in a ' + width + 'px window');
  }
  const describe = (element) =>
    element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
    ' "' + (element.textContent || '').trim().slice(0, 50) + '"';
  document.querySelectorAll('body *').forEach((element) => {
    if (element.closest('svg') && element.tagName.toLowerCase() !== 'svg') return;
    if (element.closest('.table-scroll') && !element.classList.contains('table-scroll')) return;
    const parent = element.parentElement;
    if (!parent || parent === document.documentElement) return;
    const box = element.getBoundingClientRect(), outer = parent.getBoundingClientRect();
    if (box.width === 0) return;
    if (box.right > outer.right + slack || box.left < outer.left - slack) {
      problems.push('sticks out of its container by ' + Math.round(Math.max(box.right - outer.right, outer.left - box.left)) +
                    'px: ' + describe(element));
    }
  });
  document.querySelectorAll('svg').forEach((svg, index) => {
    const frame = svg.getBoundingClientRect();
    svg.querySelectorAll('text').forEach((text) => {
      const box = text.getBoundingClientRect();
      if (box.width === 0) return;
      if (box.left < frame.left - slack || box.right > frame.right + slack || box.top < frame.top - slack ||
          box.bottom > frame.bottom + slack) {
        problems.push('text cut off by chart ' + index + ': "' + text.textContent.slice(0, 70) + '"');
      }
    });
  });
  document.querySelectorAll('table').forEach((table, index) => {
    if (!table.tHead || !table.tBodies.length) return;
    const rows = Array.from(table.tBodies[0].rows);
    if (!rows.length) return;
    Array.from(table.tHead.rows[0].cells).forEach((header, column) => {
      if (rows.every((row) => !row.cells[column] || row.cells[column].textContent.trim() === '')) {
        problems.push('empty column "' + header.textContent + '" in table ' + index);
      }
    });
  });
  const verdict = 'width ' + width + ' px: ' + (problems.length ? problems.join('\n') : 'LAYOUT-OK');
  if (window.parent !== window) window.parent.postMessage(verdict, '*');
});
