// A small element builder, so that the console's markup reads as markup.

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, "");
    else if (typeof value === "string") element.setAttribute(name, value);
  }
  element.append(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
  return element;
}

let counter = 0;
/** A unique element ID, for labels and descriptions. */
export const uid = (prefix: string) => `ims-${prefix}-${++counter}`;

/** A labelled form control with an optional hint, the label's `for` and the hint's `aria-describedby` wired. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string | Node, labelExtra?: Child): HTMLDivElement {
  control.id ||= uid("field");
  const hintElement = hint ? h("p", { class: "ims-hint", id: uid("hint") }, hint) : undefined;
  if (hintElement) control.setAttribute("aria-describedby", hintElement.id);
  return h("div", { class: "ims-field" }, h("label", { for: control.id }, label, labelExtra), control, hintElement);
}
