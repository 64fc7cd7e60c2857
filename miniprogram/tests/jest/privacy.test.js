// The privacy agreement flow: WeChat asks (wx.onNeedPrivacyAuthorization), the sheet shows, the
// agree button settles WeChat's call with its id; a refusal settles it too and says why.

const { load, render, settle, installWx } = require('./helpers');

const id = load('components/privacy-popup/privacy-popup');

test('the sheet shows when WeChat needs the agreement, and agreeing answers WeChat', async () => {
  const wx = installWx();
  let handler = null;
  wx.onNeedPrivacyAuthorization = (fn) => {
    handler = fn;
  };
  wx.openPrivacyContract = jest.fn();
  const privacy = require('../../utils/privacy');
  privacy.register();
  const sheet = render(id);
  await settle();
  expect(sheet.dom.textContent).not.toContain('隐私保护提示');

  const answers = [];
  handler((answer) => answers.push(answer), { referrer: 'chooseMedia' });
  await settle();
  expect(sheet.data.visible).toBe(true);
  expect(sheet.dom.textContent).toContain('《隐私保护指引》');
  sheet.instance.openContract();
  expect(wx.openPrivacyContract).toHaveBeenCalled();
  sheet.instance.onAgree({ currentTarget: { id: 'agree-privacy' } });
  expect(answers).toEqual([{ buttonId: 'agree-privacy', event: 'agree' }]);
  expect(sheet.data.visible).toBe(false);

  handler((answer) => answers.push(answer), {});
  await settle();
  sheet.instance.onDisagree();
  expect(answers[1]).toEqual({ event: 'disagree' });
  expect(wx.toasts.map((t) => t.title)).toContain('未同意隐私保护指引，无法使用此功能');
  sheet.detach(); // the page goes: the sheet stops listening
});

test('with no sheet on the page, the call is refused at once rather than left hanging', () => {
  installWx();
  const privacy = require('../../utils/privacy');
  const answers = [];
  privacy.onNeed((answer) => answers.push(answer), {});
  expect(answers).toEqual([{ event: 'disagree' }]);
});
