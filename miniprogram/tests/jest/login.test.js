// Staff login: a bound WeChat signs in alone; otherwise username and password bind it.

const { load, render, settle, installWx, calls, tokenPair } = require('./helpers');

const id = load('staff/pages/login/login');

test('an unbound WeChat shows the form; logging in binds it and opens the worklist', async () => {
  const wx = installWx((call) => {
    if (call.path === '/auth/staff/wechat/login') return { statusCode: 401, data: { code: 'wechat_not_bound', message: '此微信尚未绑定工作人员账号' } };
    if (call.path === '/auth/staff/wechat/bind') {
      return call.data.password === 'right'
        ? { statusCode: 200, data: tokenPair('s', 'community_worker', 5) }
        : { statusCode: 401, data: { code: 'invalid_credentials', message: '用户名或密码错误' } };
    }
    return { statusCode: 404, data: {} };
  });
  const page = render(id);
  await settle(8);
  expect(page.data.checking).toBe(false);
  expect(page.dom.textContent).toContain('绑定此微信');
  page.instance.onInput({ currentTarget: { dataset: { field: 'username' } }, detail: { value: 'guanghua' } });
  page.instance.onInput({ currentTarget: { dataset: { field: 'password' } }, detail: { value: 'wrong' } });
  await page.instance.login();
  expect(page.data.error).toBe('用户名或密码错误');
  expect(page.data.password).toBe('');
  page.instance.onInput({ currentTarget: { dataset: { field: 'password' } }, detail: { value: 'right' } });
  await page.instance.login();
  const bind = wx.calls.filter((c) => c.path === '/auth/staff/wechat/bind').pop();
  expect(bind.data).toEqual({ username: 'guanghua', password: 'right', code: expect.stringMatching(/^code-/) });
  expect(calls(wx, 'reLaunch').pop().url).toBe('/staff/pages/worklist/worklist');
  expect(require('../../api/request').getSession('staff').user.role).toBe('community_worker');
});

test('a bound WeChat signs in without the password', async () => {
  const wx = installWx((call) =>
    call.path === '/auth/staff/wechat/login' ? { statusCode: 200, data: tokenPair('b', 'street_officer', 3) } : { statusCode: 404, data: {} },
  );
  render(id);
  await settle(8);
  expect(calls(wx, 'reLaunch')[0].url).toBe('/staff/pages/worklist/worklist');
  expect(wx.calls.map((c) => c.path)).toEqual(['/auth/staff/wechat/login']);
});
