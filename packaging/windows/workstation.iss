; Windows installer for Workstation (Inno Setup 6.3 or newer). Saved as UTF-8 with BOM: Inno
; Setup reads non-ASCII text (the Chinese names below) correctly only then.
;
;   iscc /DAppVersion=0.1.0 packaging\windows\workstation.iss
;
; Expects the PyInstaller output in dist\workstation and the generated icon in
; build\pyinstaller\workstation\icons, both made by
; `pyinstaller --distpath dist --workpath build/pyinstaller packaging\workstation.spec`; every path
; can be overridden with /DSourceDir=… /DIconFile=… /DOutputDir=…. Writes
; dist\Workstation-<version>-windows-x64-setup.exe.
;
; Installs per user by default (agents rarely have admin rights; no UAC prompt), for all users
; if the person installing chooses so. Uninstalling removes the program only: the data folder
; (%LOCALAPPDATA%\Workstation: chat history, settings, logs) stays, like the README promises.

#define AppName "Workstation"
#define AppExe "workstation.exe"
#ifndef SourceDir
  #define SourceDir AddBackslash(SourcePath) + "..\..\dist\workstation"
#endif
#ifndef IconFile
  #define IconFile AddBackslash(SourcePath) + "..\..\build\pyinstaller\workstation\icons\workstation.ico"
#endif
#ifndef OutputDir
  #define OutputDir AddBackslash(SourcePath) + "..\..\dist"
#endif
#ifndef AppVersion
  ; The frozen exe carries the package version in its version resource.
  #define AppVersion GetVersionNumbersString(AddBackslash(SourceDir) + AppExe)
#endif

[Setup]
; Never change AppId: Windows uses it to recognise upgrades of the same program.
AppId={{6F1B7C52-9A3E-4D1F-8B27-3C5E9D04A1B6}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName=Workstation 客服工作台 {#AppVersion}
AppPublisher=Workstation
DefaultDirName={autopf}\Workstation
DefaultGroupName=Workstation
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 needs Windows 10 1809 or newer.
MinVersion=10.0.17763
OutputDir={#OutputDir}
OutputBaseFilename=Workstation-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName=Workstation 客服工作台
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An upgrade asks a running Workstation to close (Restart Manager) instead of failing on locked files.
CloseApplications=yes
RestartApplications=no

[Languages]
; Simplified Chinese ships with recent Inno Setup; older ones only have English.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the whole program folder, so files a newer build no longer has do not linger.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; workstation.exe (windowed), workstation-cli.exe (prints --version and runs subcommands in a terminal), _internal\
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Workstation 客服工作台"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\Workstation 演示模式"; Filename: "{app}\{#AppExe}"; Parameters: "--demo"
Name: "{autodesktop}\Workstation 客服工作台"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,Workstation}"; Flags: nowait postinstall skipifsilent
