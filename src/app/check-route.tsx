/** The checker screen with the app-level model status (install state and loaded models) in its header slot. */
import { CheckScreen } from '../features/check/check-screen';
import { ModelStatus } from '../features/models/model-status';
import { selectModel } from './model-session';
import { SessionStatus } from './session-status';

export function CheckRoute() {
  return (
    <CheckScreen
      onSelectModel={selectModel}
      modelStatus={
        <div className="model-status-group">
          <ModelStatus />
          <SessionStatus />
        </div>
      }
    />
  );
}
