"""`python run.py <config.yaml|json>`: AI-Toolkit's command line, for Atelier's demo trainer.

Reads AI-Toolkit's job config, trains a LoRA on the tiny demo model (CPU), and prints what AI-Toolkit prints
(`Running 1 job`, the tqdm bar `<name>:  12%|█▏ | 120/1000 [01:23<10:12, 1.43it/s, lr: 1.0e-04 loss: 3.456e-01]`,
`Saving at step N`, `Found step N in metadata, starting from there`, `Job stopped`). Exit code 1 on an error.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DISABLE_TELEMETRY", "YES")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> int:
    parser = argparse.ArgumentParser(description="Atelier's demo LoRA trainer (AI-Toolkit's command line)")
    parser.add_argument("config_file_list", nargs="+", help="AI-Toolkit job config files (YAML or JSON)")
    parser.add_argument("-r", "--recover", action="store_true", help="continue with the next config when one fails")
    parser.add_argument("-n", "--name", default=None, help="replaces config.name")
    args = parser.parse_args()
    print(f"Running {len(args.config_file_list)} job{'' if len(args.config_file_list) == 1 else 's'}")

    from demo_trainer.config import ConfigProblem, load_settings
    from demo_trainer.trainer import train

    completed, failed = 0, 0
    for path in args.config_file_list:
        try:
            train(load_settings(path, args.name))
            completed += 1
        except KeyboardInterrupt:
            print("")
            print("========================================")
            print("Job stopped")
            print("========================================")
            return 0
        except (ConfigProblem, FileNotFoundError, ValueError) as error:
            print(f"Error running job: {error}", flush=True)
            failed += 1
            if not args.recover:
                break
    print("")
    print("========================================")
    print("Result:")
    if completed:
        print(f" - {completed} completed job{'' if completed == 1 else 's'}")
    if failed:
        print(f" - {failed} failure{'' if failed == 1 else 's'}")
    print("========================================")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
