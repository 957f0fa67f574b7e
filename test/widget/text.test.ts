import { describe, expect, test, vi } from 'vitest';
import type { Messages } from '../../widget/i18n';
import { locales, messagesFor, parseMessages, pluralKey, translator } from '../../widget/i18n';
import { formatMoney } from '../../widget/state/money';
import { isOrderId, readReturn, withoutReturnParams } from '../../widget/state/return';

describe('money', () => {
  test("uses each currency's own minor units", () => {
    expect(formatMoney(18900, 'eur', 'en')).toBe('€189.00');
    expect(formatMoney(500, 'jpy', 'en')).toBe('¥500');
    expect(formatMoney(1234, 'kwd', 'en')).toMatch(/1\.234/);
  });

  test('formats for the locale', () => {
    expect(formatMoney(4500, 'eur', 'it')).toMatch(/^45,00\s€$/);
  });
});

describe('localisation', () => {
  test('Italian has every English text', () => {
    expect(Object.keys(locales.it!).sort()).toEqual(Object.keys(locales.en!).sort());
  });

  test('picks the table by language, falls back to English, and applies overrides', () => {
    expect(messagesFor('it-IT').pay).toBe('Paga con carta');
    expect(messagesFor('xx').pay).toBe('Pay with card');
    expect(messagesFor('en', { pay: 'Buy now' }).pay).toBe('Buy now');
  });

  test('an override that is not text (a property holding null) keeps the built-in text', () => {
    const messages = messagesFor('en', { pay: 'Buy now', title: null as unknown as string });
    expect(messages).toMatchObject({ pay: 'Buy now', title: 'Your cart' });
  });

  test('fills placeholders and leaves unknown ones visible', () => {
    const t = translator(messagesFor('en'), 'en');
    expect(t('onlyLeft', { count: 2 })).toBe('Only 2 left');
    expect(t('onlyLeft')).toBe('Only {count} left');
  });

  test('plural forms follow the language', () => {
    expect(pluralKey('en', 1)).toBe('items_one');
    expect(pluralKey('en', 0)).toBe('items_other');
    expect(pluralKey('it', 2)).toBe('items_other');
  });

  test('plural forms beyond one and other are used when the messages have them', () => {
    // Polish: 1 produkt, 2 produkty (few), 5 produktów (many).
    const polish = messagesFor('pl', { items_few: ', {count} produkty' } as Partial<Messages>);
    expect(pluralKey('pl', 2, polish)).toBe('items_few');
    expect(pluralKey('pl', 5, polish)).toBe('items_other');
    expect(pluralKey('pl', 1, polish)).toBe('items_one');
    expect(parseMessages('{"items_few":", {count} produkty","items_many":"x"}')).toEqual({
      items_few: ', {count} produkty',
      items_many: 'x',
    });
  });

  test("the cart button's count texts hold the count only, to follow any label", () => {
    // The visible label (the slot, "Basket") comes first in the button's name.
    for (const messages of Object.values(locales)) {
      expect(messages.items_one).toMatch(/^, \{count\} \S+$/);
      expect(messages.items_other).toMatch(/^, \{count\} \S+$/);
    }
  });

  test('Italian texts with a count or a name read right for any count and any name', () => {
    const t = translator(messagesFor('it'), 'it');
    // "Ne restano solo 1" is wrong Italian at 1: a label reads right at any count.
    expect(t('onlyLeft', { count: 1 })).toBe('Disponibili: 1');
    expect(t('onlyLeft', { count: 3 })).toBe('Disponibili: 3');
    // "Un Zinedine Zidane in meno": no article or participle has to agree with the name.
    const name = 'Zinedine Zidane — France 1998';
    expect(t('decrease', { name })).toBe(`${name}: uno in meno`);
    expect(t('increase', { name })).toBe(`${name}: uno in più`);
    expect(t('added', { name })).toBe(`Articolo aggiunto al carrello: ${name}.`);
    expect(t('removed', { name })).toBe(`Articolo rimosso dal carrello: ${name}.`);
    expect(t('items_one', { count: 1 })).toBe(', 1 articolo');
    expect(t('items_other', { count: 2 })).toBe(', 2 articoli');
  });

  test('the messages attribute accepts known keys only and survives bad JSON, saying what it drops', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(parseMessages('{"pay":"Buy now","nonsense":"x","title":3}')).toEqual({
        pay: 'Buy now',
      });
      expect(warn.mock.calls).toEqual([
        [
          '<stripe-cart>: the messages attribute has unknown keys or non-text values: nonsense,title',
        ],
      ]);
      expect(parseMessages('{oops')).toBeUndefined();
      expect(parseMessages('"Buy now"')).toBeUndefined();
      expect(error.mock.calls).toEqual([
        ['<stripe-cart>: the messages attribute is not a JSON object'],
        ['<stripe-cart>: the messages attribute is not a JSON object'],
      ]);
      expect(parseMessages(null)).toBeUndefined();
      expect(parseMessages('{"pay":"Buy now"}')).toEqual({ pay: 'Buy now' });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(error).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });
});

describe('return from Stripe', () => {
  test('reads success with its session, and cancel', () => {
    expect(
      readReturn(
        'https://s.example/?stripe_cart=success&stripe_cart_order=o1&stripe_cart_session=cs_1',
      ),
    ).toEqual({
      outcome: 'success',
      orderId: 'o1',
      sessionId: 'cs_1',
    });
    expect(readReturn('https://s.example/p?stripe_cart=cancel&stripe_cart_order=o1')).toEqual({
      outcome: 'cancel',
      orderId: 'o1',
    });
    expect(readReturn('https://s.example/?stripe_cart=success')).toBeUndefined();
    expect(readReturn('https://s.example/?order=o1')).toBeUndefined();
  });

  test('takes only a UUID for an order id', () => {
    expect(isOrderId('2bd15261-3860-5262-b1b1-43eb72537954')).toBe(true);
    expect(isOrderId('2BD15261-3860-5262-B1B1-43EB72537954')).toBe(true);
    for (const id of ['nonsense', '', '2bd15261-3860-5262-b1b1-43eb7253795', 'o1']) {
      expect(isOrderId(id)).toBe(false);
    }
  });

  test('cleans only its own parameters from the URL, keeping the rest and the hash', () => {
    expect(
      withoutReturnParams(
        'https://s.example/p?lang=it&order=price-asc&session_id=s&stripe_cart=success&stripe_cart_order=o&stripe_cart_session=c#top',
      ),
    ).toBe('https://s.example/p?lang=it&order=price-asc&session_id=s#top');
  });

  test('reads and drops only parameters named as the server writes them, not encoded spellings', () => {
    const order = '11111111-2222-4333-8444-555555555555';
    const crafted = `https://shop.example/?stripe%5Fcart=cancel&stripe%5Fcart_order=${order}`;
    expect(readReturn(crafted)).toBeUndefined();
    expect(withoutReturnParams(crafted)).toBe(crafted);
    const real = `https://shop.example/?stripe_cart=cancel&stripe_cart_order=${order}`;
    expect(readReturn(`${crafted.replace('/?', '/?a=1&')}&${real.split('?')[1]}`)).toEqual({
      outcome: 'cancel',
      orderId: order,
    });
  });

  test("leaves the page's own parameters as written, not re-encoded", () => {
    const page = 'https://shop.example/cards?path=a/b&q=x%20y&preview&t=a+b';
    expect(withoutReturnParams(page)).toBe(page);
    expect(withoutReturnParams(`${page}&stripe_cart=cancel&stripe_cart_order=o`)).toBe(page);
    expect(withoutReturnParams('https://shop.example/?stripe_cart=cancel')).toBe(
      'https://shop.example/',
    );
  });
});
