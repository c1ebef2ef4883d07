import * as assert from 'node:assert/strict';
import {
  ReportParseError,
  buildReportFileName,
  fileNameFromContentDisposition,
  parseReportBody,
  parseXmlWithLibrary,
  scanXmlRecords,
  splitUnquotedCsv,
  reportRecords,
} from '../../../../../src/core/cmu/parse';
import { parse as parseCsv } from 'csv-parse/sync';
import { parseQueryUrl } from '../../../../../src/core/cmu/query';

import { CSV_SAME, EXPECTED_COLUMNS, EXPECTED_ROWS, HTML_SAME, JSON_EX5, XML_EX6 } from '../../../support/cmuFixtures';

const URL5 = 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year/month/day/mvpd';

describe('cmu/parse: one shape for every format', () => {
  it('JSON (worked example 5): links, columns, numeric metrics', () => {
    const r = parseReportBody(JSON_EX5, 'application/json', URL5);
    assert.equal(r.format, 'json');
    assert.deepEqual(r.columns, EXPECTED_COLUMNS);
    assert.deepEqual(r.rows, EXPECTED_ROWS);
    assert.match(r.links.self!, /^\/cmu\/v2\/tenant\/year\/month\/day\/mvpd\?tenant=ACME&mvpd!=TempPass/);
    assert.deepEqual(r.links.rollUp, [{ href: '/cmu/v2/tenant/year/month/day', name: 'day' }]);
    assert.deepEqual(r.links.drillDown.map((l) => l.name), ['platform', 'hour']);
    assert.equal(r.raw, JSON_EX5);
    assert.equal(r.fileName, undefined);
  });

  it('XML (worked example 6 shape): same records and links', () => {
    const r = parseReportBody(XML_EX6, 'application/xml;charset=UTF-8', URL5 + '.xml');
    assert.equal(r.format, 'xml');
    assert.deepEqual(r.columns, EXPECTED_COLUMNS);
    assert.deepEqual(r.rows, EXPECTED_ROWS);
    assert.equal(r.links.self, '/cmu/v2/tenant/year/month/day/mvpd?tenant=ACME&start=2024-11-01T00:00:00&end=2024-11-08T00:00:00&limit=1000');
    assert.deepEqual(r.links.rollUp, [{ href: '/cmu/v2/tenant/year/month/day', name: 'day' }]);
    assert.deepEqual(r.links.drillDown.map((l) => l.name), ['platform', 'hour']);
  });

  it('CSV: headers matched case-insensitively, BOM and CRLF tolerated', () => {
    const r = parseReportBody(CSV_SAME, 'text/csv', URL5 + '.csv', 'given.csv');
    assert.equal(r.format, 'csv');
    assert.deepEqual(r.columns, EXPECTED_COLUMNS);
    assert.deepEqual(r.rows, EXPECTED_ROWS);
    assert.deepEqual(r.links, { rollUp: [], drillDown: [] });
    assert.equal(r.fileName, 'given.csv');
  });

  it('HTML (demo): the table, best effort, and rel links', () => {
    const r = parseReportBody(HTML_SAME, 'text/html; charset=utf-8', URL5 + '.html');
    assert.equal(r.format, 'html');
    assert.deepEqual(r.columns, EXPECTED_COLUMNS);
    assert.deepEqual(r.rows, EXPECTED_ROWS);
    assert.equal(r.links.self, '/cmu/v2/tenant/year/month/day/mvpd?tenant=ACME');
    assert.deepEqual(r.links.drillDown.map((l) => l.name), ['platform', 'hour']);
  });

  it('HTML without rel attributes: the words before the links say what they are', () => {
    const page = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>CMU report</title></head><body>
<h1>/cmu/v2/tenant/year</h1>
<p><a href="/cmu/v2/tenant/year?start=2024-01-01T00:00:00&amp;limit=1000">self</a> · roll-up: <a href="/cmu/v2/tenant">tenant</a> · drill-down: <a href="/cmu/v2/tenant/year/month">month</a></p>
<table border="1">
<thead><tr><th>tenant</th><th>year</th><th>active-users</th></tr></thead>
<tbody>
<tr><td>A &amp; B</td><td>2024</td><td>12</td></tr>
</tbody>
</table>
</body></html>`;
    const r = parseReportBody(page, 'text/html;charset=UTF-8', 'http://x/cmu/v2/tenant/year.html');
    assert.equal(r.links.self, '/cmu/v2/tenant/year?start=2024-01-01T00:00:00&limit=1000');
    assert.deepEqual(r.links.rollUp, [{ href: '/cmu/v2/tenant', name: 'tenant' }]);
    assert.deepEqual(r.links.drillDown, [{ href: '/cmu/v2/tenant/year/month', name: 'month' }]);
    assert.deepEqual(r.rows, [['A & B', '2024', 12]]);
  });

  it('all four formats yield the same records', () => {
    const all = [
      parseReportBody(JSON_EX5, 'application/json', URL5),
      parseReportBody(XML_EX6, 'application/xml', URL5 + '.xml'),
      parseReportBody(CSV_SAME, 'text/csv', URL5 + '.csv'),
      parseReportBody(HTML_SAME, 'text/html', URL5 + '.html'),
    ].map(reportRecords);
    for (const recs of all.slice(1)) assert.deepEqual(recs, all[0]);
    assert.deepEqual(all[0][0], { tenant: 'ACME', year: '2024', month: '11', day: '1', mvpd: 'Comcast_SSO', 'active-users': 5012, 'started-sessions': 17110 });
  });

  it('the quote-free CSV fast path gives what csv-parse gives; quoted bodies go to csv-parse', () => {
    const opts = { bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true };
    for (const body of [CSV_SAME, 'a,b\n1,2\n\n3\n', 'a,b\r\n\r\n1,,\r\n', '\ufeffx\ny', '', 'a,b']) {
      assert.deepEqual(splitUnquotedCsv(body), parseCsv(body, opts), JSON.stringify(body));
    }
    assert.equal(splitUnquotedCsv('a,"b,c"\n'), undefined);
    const quoted = parseReportBody('mvpd,active-users\n"Comcast, Inc",5\n"Say ""hi""",6\n', 'text/csv', 'https://x/cmu/v2/mvpd.csv');
    assert.deepEqual(quoted.rows, [['Comcast, Inc', 5], ['Say "hi"', 6]]);
  });

  it('worked example 7 CSV verbatim, with the documented file name; a name is built when there is none', () => {
    const body = 'tenant,year,month,active-users,active-sessions,started-sessions\nACME,2024,1,201233,690012,688101\nACME,2024,2,198870,671554,669932\n';
    const url = 'https://mgmt.auth.adobe.com/cmu/v2/tenant/year/month.csv?start=2024-01';
    const r = parseReportBody(body, 'text/csv', url, fileNameFromContentDisposition('attachment; filename="report__2024-01-01_2024-11-26_ACME.csv"'));
    assert.equal(r.fileName, 'report__2024-01-01_2024-11-26_ACME.csv');
    assert.deepEqual(r.rows[1], ['ACME', '2024', '2', 198870, 671554, 669932]);
    assert.equal(parseReportBody(body, 'text/csv', url).fileName, 'report__2024-01_now.csv');
  });

  it('worked example 4 (root: one record of totals, drill-down to tenant, no roll-up)', () => {
    const body = `{"_links":{"self":{"href":"/cmu/v2?start=2024-11-01T00:00:00&end=2024-11-26T10:15:00"},"drill-down":[{"href":"/cmu/v2/tenant","name":"tenant"}]},
 "report":[{"active-users":"120345","active-sessions":"401223","started-sessions":"398870","completed-sessions":"397001","failed-attempts":"5120","dismissed-sessions":"312","killed-sessions":"87"}]}`;
    const r = parseReportBody(body, 'application/json', 'https://mgmt.auth.adobe.com/cmu/v2');
    assert.ok(r.columns.every((c) => c.kind === 'metric'));
    assert.deepEqual(r.rows, [[120345, 401223, 398870, 397001, 5120, 312, 87]]);
    assert.deepEqual(r.links.rollUp, []);
    assert.deepEqual(r.links.drillDown, [{ href: '/cmu/v2/tenant', name: 'tenant' }]);
  });

  it('worked example 8 (concurrency level is a dimension even though numeric; users a metric)', () => {
    const body = '{"report":[{"year":"2024","month":"10","concurrency-level":"3","tenant":"ACME","users":"8812"}]}';
    const r = parseReportBody(body, 'application/json', 'https://x/cmu/v2/year/month/concurrency-level/tenant');
    assert.deepEqual(r.columns.map((c) => `${c.name}:${c.kind}`), ['year:dimension', 'month:dimension', 'concurrency-level:dimension', 'tenant:dimension', 'users:metric']);
    assert.deepEqual(r.rows, [['2024', '10', '3', 'ACME', 8812]]);
  });

  it('unknown columns: numeric -> metric (bstreams-30, the doc\'s Clients), text -> dimension', () => {
    const csv = 'Year,Month,Clients,Label\n2012,7,580,a\n2012,8,,b\n';
    const r = parseReportBody(csv, 'text/csv', 'https://x/cmu/v2/year/month.csv');
    assert.deepEqual(r.columns, [
      { name: 'year', kind: 'dimension' },
      { name: 'month', kind: 'dimension' },
      { name: 'Label', kind: 'dimension' },
      { name: 'Clients', kind: 'metric' },
    ]);
    assert.deepEqual(r.rows, [['2012', '7', 'a', 580], ['2012', '8', 'b', null]]);
    const j = parseReportBody('{"report":[{"day":"1","bstreams-30":"12"},{"day":"2","bstreams-30":7}]}', 'application/json', 'https://x/cmu/v2/day');
    assert.deepEqual(j.rows, [['1', 12], ['2', 7]]);
  });

  it('accepts numbers or strings, empty and junk metrics become null; dimension numbers become strings', () => {
    const body = JSON.stringify({
      report: [
        { year: 2024, 'active-users': 12, 'started-sessions': '' },
        { year: '2025', 'active-users': 'n/a', 'started-sessions': ' ' },
        { year: null, 'active-users': '1.5e3', 'started-sessions': '-4' },
      ],
    });
    const r = parseReportBody(body, 'application/json', 'https://x/cmu/v2/year');
    assert.deepEqual(r.rows, [['2024', 12, null], ['2025', null, null], [null, 1500, -4]]);
  });

  it('tolerates records with different key order and an extra key in a later record', () => {
    const body = JSON.stringify({ report: [{ mvpd: 'A', 'active-users': '1' }, { 'active-users': '2', mvpd: 'B' }, { mvpd: 'C', 'active-users': '3', platform: 'web' }] });
    const r = parseReportBody(body, 'application/json', 'https://x/cmu/v2/mvpd');
    assert.deepEqual(r.columns.map((c) => c.name), ['mvpd', 'platform', 'active-users']);
    assert.deepEqual(r.rows, [['A', null, 1], ['B', null, 2], ['C', 'web', 3]]);
  });

  it('metrics before dimensions in the records: columns still dimensions first', () => {
    const body = JSON.stringify({ report: [{ 'active-users': '1', mvpd: 'A', 'started-sessions': 2, year: 2024 }, { 'active-users': '3', mvpd: 'B', 'started-sessions': '', year: '2025' }] });
    const r = parseReportBody(body, 'application/json', 'https://x/cmu/v2/year/mvpd');
    assert.deepEqual(r.columns.map((c) => c.name), ['mvpd', 'year', 'active-users', 'started-sessions']);
    assert.deepEqual(r.rows, [['A', '2024', 1, 2], ['B', '2025', 3, null]]);
  });

  it('an empty report, a missing report, a single-object report', () => {
    assert.deepEqual(parseReportBody('{"_links":{},"report":[]}', 'application/json', 'https://x/cmu/v2/tenant').rows, []);
    assert.deepEqual(parseReportBody('{"_links":{}}', 'application/json', 'https://x/cmu/v2/tenant').columns, []);
    assert.deepEqual(parseReportBody('{"report":{"tenant":"A","users":"1"}}', 'application/json', 'https://x/cmu/v2/tenant').rows, [['A', 1]]);
    assert.deepEqual(parseReportBody('<resource href="/cmu/v2/x"><report/></resource>', 'application/xml', 'https://x/cmu/v2/x.xml').rows, []);
    assert.deepEqual(parseReportBody('', 'text/csv', 'https://x/cmu/v2/x.csv').rows, []);
  });

  it('XML: the record fast path gives what fast-xml-parser gives, and odd shapes go to the library', () => {
    const odd = [
      XML_EX6,
      '<resource href="/cmu/v2/mvpd?a=1&amp;b=2"><links><link rel="roll-up" href="/cmu/v2"/></links><report>\n<record mvpd="A &amp; B &#233; &lt;x&gt;" active-users="7" />\n<record mvpd=" padded " active-users=""/></report></resource>',
      // not the fast shape: single quotes, a comment, a child element, ragged records
      "<resource><report><record mvpd='A' active-users='1'/></report></resource>",
      '<resource><report><!-- c --><record mvpd="A" active-users="1"/></report></resource>',
      '<resource><report><record><mvpd>A</mvpd><active-users>1</active-users></record></report></resource>',
      '<resource><report><record mvpd="A" active-users="1"/><record active-users="2" mvpd="B"/><record mvpd="C"/></report></resource>',
    ];
    for (const body of odd) {
      const fast = parseReportBody(body, 'application/xml', 'https://x/cmu/v2/mvpd.xml');
      const lib = parseXmlWithLibrary(body);
      assert.deepEqual({ links: fast.links, columns: fast.columns, rows: fast.rows }, lib, body);
    }
    assert.deepEqual(parseReportBody(odd[1], 'application/xml', 'https://x/cmu/v2/mvpd.xml').rows, [['A & B é <x>', 7], [' padded ', null]]);
    assert.deepEqual(parseReportBody(odd[5], 'application/xml', 'https://x/cmu/v2/mvpd.xml').rows, [['A', 1], ['B', 2], ['C', null]]);
    assert.equal(scanXmlRecords("<record a='1'/>"), undefined);
    assert.deepEqual(scanXmlRecords(' <record a="1" b="x"/>\n<record a="2" b="y" />\n'), { header: ['a', 'b'], rows: [['1', 'x'], ['2', 'y']] });
  });

  it('fast paths equal the libraries on generated bodies (entities, CR, ragged, mixed line ends) and odd structures', () => {
    let seed = 7;
    const pick = <T,>(a: readonly T[]): T => a[(seed = (seed * 1103515245 + 12345) & 0x7fffffff) % a.length];
    const asLib = (body: string) => {
      const r = parseReportBody(body, 'application/xml', 'https://x/cmu/v2/mvpd.xml');
      return { links: r.links, columns: r.columns, rows: r.rows };
    };
    const refs = ['AT&amp;T', '&lt;&gt;&quot;&apos;', '&#233;&#xE9;&#X41;&#0065;', '&#x1F600;', '&#9;&#10;&#13;', '&nbsp;', '&copy;', '&#0;', '&#1;', '&#x1F;',
      '&#xD800;', '&#1114112;', '&#x;', '&AMP;', '&amp', '&', '&#38;amp;', '\r\n', '\n\t', '>', "'", ' ', 'x', '7'];
    let fastTaken = 0;
    for (let t = 0; t < 1500; t++) {
      let recs = '';
      for (let r = 0; r < 3; r++) recs += `${pick(['', '\n', ' '])}<record mvpd="${pick(refs)}${pick(refs)}" active-users="${pick(['1', ' 2', '', 'x', '&#49;'])}"${pick(['', ' '])}/>`;
      if (scanXmlRecords(recs)) fastTaken++;
      const body = `<resource href="/cmu/v2/mvpd"><links><link rel="roll-up" href="/cmu/v2"/></links><report>${recs}</report></resource>`;
      assert.deepEqual(asLib(body), parseXmlWithLibrary(body), recs);
    }
    assert.ok(fastTaken > 100, `the XML fast path was taken ${fastTaken} times`);
    for (const body of [
      '<r><report><record a="1" a="2"/></report></r>', // malformed: the library's error
      '<r><x><report><record mvpd="A" users="1"/></report></x></r>', // not where the library looks
      '<r><report><record mvpd="A" users="1"/></report><report><record mvpd="B" users="2"/></report></r>',
      '<?xml version="1.0"?>\n<!-- <report> --><r><report count="1"><record mvpd="A" users="1"/></report></r><!-- </report> -->',
    ]) {
      let lib: unknown;
      try {
        lib = parseXmlWithLibrary(body);
      } catch (e) {
        lib = (e as Error).message;
      }
      let fast: unknown;
      try {
        fast = asLib(body);
      } catch (e) {
        fast = (e as Error).message;
      }
      assert.deepEqual(fast, lib, body);
    }
    const opts = { bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true };
    let csvTaken = 0;
    for (let t = 0; t < 3000; t++) {
      let body = '';
      for (let i = 0; i < 10; i++) body += pick([',', 'a', ' ', '1', '\n', '\r\n', '\r', '\ufeff', '\n\n', '\t', '#']);
      const fast = splitUnquotedCsv(body);
      if (fast === undefined) continue;
      csvTaken++;
      assert.deepEqual(fast, parseCsv(body, opts), JSON.stringify(body));
    }
    assert.ok(csvTaken > 300, `the CSV fast path was taken ${csvTaken} times`);
    // csv-parse keeps the first line end it meets: mixed line ends are its to split
    assert.equal(splitUnquotedCsv('a\nb\r\nc'), undefined);
    assert.equal(splitUnquotedCsv('a\r\nb\nc'), undefined);
    assert.deepEqual(parseReportBody('mvpd,active-users\r\nA,1\r\n\r\nB,2,extra\r\nC\r\n', 'text/csv', 'https://x/cmu/v2/mvpd.csv').rows, [['A', 1], ['B', 2], ['C', null]]);
  });

  it('a single XML record and XML entities', () => {
    const xml = '<resource href="/cmu/v2/mvpd"><links><link rel="roll-up" href="/cmu/v2"/></links><report><record mvpd="A &amp; B" active-users="7"/></report></resource>';
    const r = parseReportBody(xml, 'text/xml', 'https://x/cmu/v2/mvpd.xml');
    assert.deepEqual(r.rows, [['A & B', 7]]);
    assert.deepEqual(r.links.rollUp, [{ href: '/cmu/v2', name: 'v2' }]);
  });

  it('format: content type first, then the body, then the URL', () => {
    assert.equal(parseReportBody(JSON_EX5, '', URL5 + '.csv').format, 'json');
    assert.equal(parseReportBody(XML_EX6, 'application/octet-stream', URL5).format, 'xml');
    assert.equal(parseReportBody(CSV_SAME, '', URL5 + '.csv').format, 'csv');
    assert.equal(parseReportBody('{"report":[]}', 'application/hal+json', URL5).format, 'json');
  });
});

describe('cmu/parse: bodies that are not what they claim', () => {
  const expectBad = (fn: () => unknown, re: RegExp) =>
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof ReportParseError, String(e));
      assert.equal(e.code, 'bad_response');
      assert.match(`${e.message} ${e.explanation}`, re);
      return true;
    });

  it('an HTML error page where JSON was expected (even labelled JSON)', () => {
    const page = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';
    expectBad(() => parseReportBody(page, 'text/html', URL5), /HTML page instead of a JSON report.*502 Bad Gateway/);
    expectBad(() => parseReportBody(page, 'application/json', URL5), /HTML page instead of a JSON report/);
    expectBad(() => parseReportBody(page, 'text/html', URL5 + '.csv'), /instead of a CSV report/);
  });

  it('truncated JSON, non-JSON text, empty body', () => {
    expectBad(() => parseReportBody(JSON_EX5.slice(0, 200), 'application/json', URL5), /incomplete or malformed/);
    expectBad(() => parseReportBody('Service Unavailable', 'application/json', URL5), /not JSON/);
    expectBad(() => parseReportBody('', 'application/json', URL5), /empty body/);
    expectBad(() => parseReportBody('"just a string"', 'application/json', URL5), /not a report/);
  });

  it('malformed XML', () => {
    expectBad(() => parseReportBody('<resource><report><record a="1"', 'application/xml', URL5 + '.xml'), /XML/);
  });
});

describe('cmu/parse: file names', () => {
  it('reads Content-Disposition (quoted, plain, RFC 5987) and refuses paths', () => {
    assert.equal(fileNameFromContentDisposition('attachment; filename="report__a_b_c.csv"'), 'report__a_b_c.csv');
    assert.equal(fileNameFromContentDisposition('attachment; filename=report__a.csv'), 'report__a.csv');
    assert.equal(fileNameFromContentDisposition("attachment; filename*=UTF-8''r%C3%A9port.csv; filename=\"x.csv\""), 'réport.csv');
    assert.equal(fileNameFromContentDisposition('attachment; filename="../../etc/passwd"'), 'passwd');
    assert.equal(fileNameFromContentDisposition('inline'), undefined);
    assert.equal(fileNameFromContentDisposition(undefined), undefined);
  });

  it('builds the documented pattern from a query', () => {
    assert.equal(buildReportFileName(parseQueryUrl('/cmu/v2/year/month.csv?start=2012-07-20&end=2012-08-20T10:00:00&limit=1000')), 'report__2012-07-20_2012-08-20_1000.csv');
    assert.equal(buildReportFileName(parseQueryUrl('/cmu/v2/tenant.csv?tenant=ACME&mvpd=A/B')), 'report__default_now_ACME,A-B.csv');
  });
});
