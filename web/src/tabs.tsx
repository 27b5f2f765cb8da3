/**
 * An ARIA tab list (WAI-ARIA Authoring Practices, automatic activation): arrow keys move between tabs,
 * Home and End jump, and only the selected tab is in the tab order. Every panel stays mounted, hidden when
 * not selected, so that its live subscriptions and form input survive a switch.
 */
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

export interface TabSpec<Id extends string> {
  id: Id;
  label: string;
  panel: ComponentChildren;
}

export function Tabs<Id extends string>({
  label,
  tabs,
  selected,
  onSelect,
}: {
  label: string;
  tabs: readonly TabSpec<Id>[];
  selected: Id;
  onSelect: (id: Id) => void;
}) {
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);
  const move = (index: number) => {
    const count = tabs.length;
    const target = tabs[((index % count) + count) % count];
    if (!target) return;
    onSelect(target.id);
    buttons.current[tabs.indexOf(target)]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: tabs.length - 1,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    move(next);
  };
  return (
    <>
      <div role="tablist" aria-label={label} class="tablist">
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            ref={(element) => {
              buttons.current[index] = element;
            }}
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            aria-selected={tab.id === selected}
            aria-controls={`panel-${tab.id}`}
            tabIndex={tab.id === selected ? 0 : -1}
            class="tab"
            onClick={() => onSelect(tab.id)}
            onKeyDown={(event) => onKeyDown(event, index)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {tabs.map((tab) => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`panel-${tab.id}`}
          aria-labelledby={`tab-${tab.id}`}
          hidden={tab.id !== selected}
          class="panel"
        >
          {tab.panel}
        </div>
      ))}
    </>
  );
}
