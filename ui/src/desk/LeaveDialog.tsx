// Asked before anything drops a form with unsaved changes.
import { Button, Dialog, Heading, Modal, ModalOverlay } from "react-aria-components";

export interface LeaveDialogProps {
  isOpen: boolean;
  dirtyCount: number;
  /** The record the changes are for, as the header names it. */
  recordName: string;
  onStay(): void;
  onLeave(): void;
}

export function LeaveDialog({ isOpen, dirtyCount, recordName, onStay, onLeave }: LeaveDialogProps) {
  return (
    <ModalOverlay isOpen={isOpen} onOpenChange={(open) => !open && onStay()} isDismissable className="modal-overlay">
      <Modal className="modal">
        <Dialog className="dialog" data-leave-guard role="alertdialog">
          <Heading slot="title">Leave this form?</Heading>
          <p>
            {dirtyCount} unsaved change{dirtyCount === 1 ? "" : "s"} to {recordName} {dirtyCount === 1 ? "has" : "have"} not been sent. They stay under “Unsent
            edits” (passwords excepted) until you save or discard them.
          </p>
          <div className="actions">
            <Button className="button primary" onPress={onStay} data-action="stay" autoFocus>
              Stay and keep editing
            </Button>
            <Button className="button" onPress={onLeave} data-action="leave">
              Leave, keep the edits
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
