/**
 * Entry point of the live mail activity page (served by mailgraph at `/`, see src/activity-page.ts).
 * The server says in a meta tag whether it runs in sandbox mode (then no key is needed, and inbound mail
 * can be simulated).
 */
import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

const mode = document.querySelector('meta[name="mailgraph-mode"]')?.getAttribute('content');
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App sandbox={mode === 'sandbox'} />, root);
}
