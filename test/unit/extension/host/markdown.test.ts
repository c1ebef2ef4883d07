import * as assert from 'node:assert/strict';
import { boldCommands, markdownText } from '../../../../src/extension/host/markdown';

describe('extension markdown: text from elsewhere in the rendered documents', () => {
  it('markdownText: an image, a link, HTML, emphasis and a table cell stay characters, on one line', () => {
    const hostile = '![t](https://attacker.invalid/p.png) [x](command:cmu.forgetCredentials) <img src=x> *a* _b_ `c` a|b ~~d~~ &amp;\n# heading';
    assert.equal(
      markdownText(hostile),
      '\\!\\[t\\](https://attacker.invalid/p.png) \\[x\\](command:cmu.forgetCredentials) \\<img src=x\\> \\*a\\* \\_b\\_ \\`c\\` a\\|b \\~\\~d\\~\\~ \\&amp; # heading',
    );
    assert.equal(markdownText('GET https://x/cmu/v2/tenant → 200 (12 ms)'), 'GET https://x/cmu/v2/tenant → 200 (12 ms)');
    assert.equal(markdownText('client_id abc, _x_'), 'client_id abc, \\_x\\_', 'an underscore inside a word makes no emphasis: left alone');
  });

  it('boldCommands: a quoted palette command is bold, other quotes stay', () => {
    assert.equal(boldCommands('Run "CMU: Import Software Statement…" with the "statement" file.'), 'Run **CMU: Import Software Statement…** with the "statement" file.');
  });
});
