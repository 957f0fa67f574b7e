import { expect, it } from 'vitest';
import { imageUrl } from '../../server/catalog/image-url';

const shop = 'https://cdn.shop.test/store';

it.each([
  ['a path below the shop', 'images/a.svg', 'https://cdn.shop.test/store/images/a.svg'],
  ['a path from the root', '/images/a.svg', 'https://cdn.shop.test/images/a.svg'],
  ['an absolute https URL', 'https://img.test/a.png', 'https://img.test/a.png'],
  ['no image', '', null],
  ['a URL with no host', 'http://', null],
  ['a script', 'javascript:alert(1)', null],
  ['a data URL', 'data:image/png;base64,AAAA', null],
  ['a URL past Stripe’s 2,048 characters once encoded', `/images/${'é'.repeat(400)}.svg`, null],
])('%s', (_, image, expected) => {
  expect(imageUrl(image, shop)).toBe(expected);
});
