import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, errorFrom, setCsrf, whenSignedOut } from '../src/api';

function answer(status: number, body: string, statusText = '') {
  return vi.fn(async () => new Response(status === 204 ? null : body, { status, statusText }));
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('errorFrom', () => {
  it('takes the code and message of the API problem document', () => {
    const e = errorFrom(400, 'Bad Request', JSON.stringify({ code: 'InvalidVolume.NotFound', detail: "The volume 'vol-1' does not exist." }));
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message]).toEqual([400, 'InvalidVolume.NotFound', "The volume 'vol-1' does not exist."]);
  });
  it('keeps the HTTP status when the body is not the API\'s (a proxy page, nothing, or odd JSON)', () => {
    expect(errorFrom(502, 'Bad Gateway', '<html>oops</html>')).toMatchObject({ code: 'HTTP502', message: 'Bad Gateway' });
    expect(errorFrom(500, '', '')).toMatchObject({ code: 'HTTP500', message: 'Request failed' });
    expect(errorFrom(400, 'Bad Request', '[1,2]')).toMatchObject({ code: 'HTTP400' });
    expect(errorFrom(400, 'x', JSON.stringify({ code: 7, message: 'plain' }))).toMatchObject({ code: 'HTTP400', message: 'plain' });
  });
});

describe('api', () => {
  it('sends the CSRF token on changes only, and JSON bodies', async () => {
    const f = answer(200, '{"ok":true}');
    vi.stubGlobal('fetch', f);
    setCsrf('tok');
    expect(await api('POST', '/volumes', { sizeGib: 1 })).toEqual({ ok: true });
    await api('GET', '/volumes');
    const [url, post] = f.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/volumes');
    expect((post.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok');
    expect(post.body).toBe('{"sizeGib":1}');
    const get = (f.mock.calls[1] as unknown as [string, RequestInit])[1];
    expect((get.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined();
  });
  it('leaves /portal paths alone', async () => {
    const f = answer(200, '{}');
    vi.stubGlobal('fetch', f);
    await api('GET', '/portal/session');
    expect((f.mock.calls[0] as unknown as [string])[0]).toBe('/portal/session');
  });
  it('throws the API error with its code, and signs out on 401', async () => {
    vi.stubGlobal('fetch', answer(401, JSON.stringify({ code: 'AuthFailure', detail: 'Sign in again' })));
    const out = vi.fn();
    whenSignedOut(out);
    await expect(api('GET', '/volumes')).rejects.toMatchObject({ status: 401, code: 'AuthFailure', message: 'Sign in again' });
    expect(out).toHaveBeenCalledOnce();
  });
  it('turns a network failure and a non-JSON success into ApiErrors', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    await expect(api('GET', '/volumes')).rejects.toMatchObject({ code: 'NetworkError' });
    vi.stubGlobal('fetch', answer(200, 'not json'));
    await expect(api('GET', '/volumes')).rejects.toMatchObject({ code: 'InvalidResponse' });
  });
  it('answers nothing for 204', async () => {
    vi.stubGlobal('fetch', answer(204, ''));
    expect(await api('DELETE', '/billing/budget')).toBeUndefined();
  });
});
