/** Report bodies shared by the parse and client tests: the reference's worked examples 5-7, one record set in every format. */
// Worked example 5 (reference section h), verbatim.
export const JSON_EX5 = `{"_links":{
   "self":{"href":"/cmu/v2/tenant/year/month/day/mvpd?tenant=ACME&mvpd!=TempPass&start=2024-11-01T00:00:00&end=2024-11-08T00:00:00&limit=500&metrics=active-users&metrics=started-sessions"},
   "roll-up":{"href":"/cmu/v2/tenant/year/month/day","name":"day"},
   "drill-down":[{"href":"/cmu/v2/tenant/year/month/day/mvpd/platform","name":"platform"},
                 {"href":"/cmu/v2/tenant/year/month/day/mvpd/hour","name":"hour"}]},
 "report":[
   {"tenant":"ACME","year":"2024","month":"11","day":"1","mvpd":"Comcast_SSO","active-users":"5012","started-sessions":"17110"},
   {"tenant":"ACME","year":"2024","month":"11","day":"1","mvpd":"Charter_Direct","active-users":"3120","started-sessions":"9804"}]}`;

// Worked example 6's shape with example 5's two records.
export const XML_EX6 = `<?xml version="1.0" encoding="UTF-8"?>
<resource href="/cmu/v2/tenant/year/month/day/mvpd?tenant=ACME&amp;start=2024-11-01T00:00:00&amp;end=2024-11-08T00:00:00&amp;limit=1000">
  <links>
    <link rel="roll-up" href="/cmu/v2/tenant/year/month/day"/>
    <link rel="drill-down" href="/cmu/v2/tenant/year/month/day/mvpd/platform"/>
    <link rel="drill-down" href="/cmu/v2/tenant/year/month/day/mvpd/hour"/>
  </links>
  <report>
    <record tenant="ACME" year="2024" month="11" day="1" mvpd="Comcast_SSO" active-users="5012" started-sessions="17110"/>
    <record tenant="ACME" year="2024" month="11" day="1" mvpd="Charter_Direct" active-users="3120" started-sessions="9804"/>
  </report>
</resource>`;

// CSV shape of example 7 (dimensions then metrics), same records; capitalized headers as in the doc's table.
export const CSV_SAME = '\ufeffTenant,Year,Month,Day,MVPD,Active-Users,Started-Sessions\r\nACME,2024,11,1,Comcast_SSO,5012,17110\r\nACME,2024,11,1,Charter_Direct,3120,9804\r\n';

export const HTML_SAME = `<!DOCTYPE html><html><head><title>CMU report</title></head><body>
<a rel="self" href="/cmu/v2/tenant/year/month/day/mvpd?tenant=ACME">self</a>
<a rel="roll-up" href="/cmu/v2/tenant/year/month/day">day</a>
<ul><li><a rel="drill-down" href="/cmu/v2/tenant/year/month/day/mvpd/platform">platform</a></li>
<li><a rel="drill-down" href="/cmu/v2/tenant/year/month/day/mvpd/hour">hour</a></li></ul>
<table><thead><tr><th>tenant</th><th>year</th><th>month</th><th>day</th><th>mvpd</th><th>active-users</th><th>started-sessions</th></tr></thead>
<tbody><tr><td>ACME</td><td>2024</td><td>11</td><td>1</td><td>Comcast_SSO</td><td>5012</td><td>17110</td></tr>
<tr><td>ACME</td><td>2024</td><td>11</td><td>1</td><td>Charter_Direct</td><td>3120</td><td>9804</td></tr></tbody></table></body></html>`;

export const EXPECTED_COLUMNS = [
  { name: 'tenant', kind: 'dimension' },
  { name: 'year', kind: 'dimension' },
  { name: 'month', kind: 'dimension' },
  { name: 'day', kind: 'dimension' },
  { name: 'mvpd', kind: 'dimension' },
  { name: 'active-users', kind: 'metric' },
  { name: 'started-sessions', kind: 'metric' },
];
export const EXPECTED_ROWS = [
  ['ACME', '2024', '11', '1', 'Comcast_SSO', 5012, 17110],
  ['ACME', '2024', '11', '1', 'Charter_Direct', 3120, 9804],
];
