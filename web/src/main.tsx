/**
 * Entry point of the live mail activity page (served by mailgraph at `/`, see src/activity-page.ts).
 * The server says in meta tags whether it runs in sandbox mode (then inbound mail can be simulated) and
 * whether requests need a key (then the page asks for one before its first request).
 */
import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

const meta = (name: string) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content');
const mode = meta('mailgraph-mode');
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App sandbox={mode === 'sandbox'} keyRequired={meta('mailgraph-keys') === 'required'} />, root);
}
