/** The page's ways to add to the cart: `data-cart-add` elements and `<stripe-cart-add>` requests. */
import { ADD_REQUEST } from './events';

/** Adds to `cart` what the page asks for, until the returned function stops listening. */
export function listenForAdds(cart: { add(sku: string, quantity: number): void }): () => void {
  const onAddRequest = (event: CustomEvent<{ sku: string; quantity: number }>) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    cart.add(event.detail.sku, event.detail.quantity);
  };
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || !(event.target instanceof Element)) return;
    const trigger = event.target.closest<HTMLElement>('[data-cart-add]');
    const sku = trigger?.dataset.cartAdd;
    if (!trigger || !sku) return;
    event.preventDefault();
    const quantity = Number.parseInt(trigger.dataset.cartQuantity ?? '1', 10);
    cart.add(sku, Number.isFinite(quantity) && quantity > 0 ? quantity : 1);
  };
  document.addEventListener(ADD_REQUEST, onAddRequest as EventListener);
  document.addEventListener('click', onClick);
  return () => {
    document.removeEventListener(ADD_REQUEST, onAddRequest as EventListener);
    document.removeEventListener('click', onClick);
  };
}
