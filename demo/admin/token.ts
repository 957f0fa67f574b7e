/** The admin token lives for the tab's session only, never in localStorage or a cookie. */
const KEY = 'stripe-cart:admin-token';

export const storedToken = (): string | null => sessionStorage.getItem(KEY);
export const storeToken = (token: string): void => sessionStorage.setItem(KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(KEY);
